package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress/postgres"
)

type redeemPointsRequest struct {
	Points    int64  `json:"points"`
	Reference string `json:"reference"`
}

// redeemPoints spends a customer's points; the same reference again is
// answered with the first redemption.
func (s *Server) redeemPoints(c echo.Context) error {
	var req redeemPointsRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	done, err := s.desk.RedeemPoints(c.Request().Context(), c.Param("id"), req.Points, req.Reference, keyActor(c))
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if done.Replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	return c.JSON(status, done)
}

// pointsLedgerLines is how much of the ledger a read shows: the newest.
const pointsLedgerLines = 200

// pointsRecord is a customer's balance and the newest lines of the ledger
// it is the sum of.
type pointsRecord struct {
	CustomerID string                `json:"customer_id"`
	Balance    int64                 `json:"balance"`
	Ledger     []postgres.PointsLine `json:"ledger"`
}

func (s *Server) points(c echo.Context) error {
	ctx := c.Request().Context()
	cu, err := s.db.Customer(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	ledger, err := s.db.PointsLedger(ctx, cu.ID, pointsLedgerLines)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pointsRecord{CustomerID: cu.ID, Balance: cu.Points, Ledger: ledger})
}

type redeemCouponRequest struct {
	OrderRef string  `json:"order_ref"`
	Amount   float64 `json:"amount"`
}

// couponRedeemed is a redeemed coupon's purchase and what it took off.
type couponRedeemed struct {
	purchaseResponse
	Discount float64 `json:"discount"`
}

// redeemCoupon uses a win-back's coupon for an order: the win-back is won
// back; a used or expired code is 410.
func (s *Server) redeemCoupon(c echo.Context) error {
	var req redeemCouponRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	used, err := s.desk.RedeemCoupon(c.Request().Context(), c.Param("code"), req.OrderRef, req.Amount, s.policy.Loyalty, keyActor(c))
	if err != nil {
		return err
	}
	b := used.Bought
	return c.JSON(http.StatusCreated, couponRedeemed{Discount: used.Discount,
		purchaseResponse: purchaseResponse{Purchase: b.Purchase, PointsEarned: b.PointsEarned, TierChange: b.TierChange}})
}
