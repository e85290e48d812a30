package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/postgres"
)

// createCustomer creates a customer, or matches one by external id, else
// e-mail, else phone, and fills in the details it lacks: 201 when created,
// 200 when matched. Details are never refused for touching another
// customer (see redress.Customer).
func (s *Server) createCustomer(c echo.Context) error {
	var req customerRef
	if err := bindAndCheck(c, &req, func(ch *redress.Checker) {
		if req.ID != "" {
			ch.Fail("id", "is given by the API; send external_id to match a customer")
		}
		checkCustomerDetails(ch, "", &req)
	}); err != nil {
		return err
	}
	cu, created, err := s.db.UpsertCustomer(c.Request().Context(), req.customer(), caller(c).Name)
	if err != nil {
		return err
	}
	if intakeCaller(caller(c)) {
		// Matched by an e-mail or a phone, the customer may hold contacts
		// the integrator never sent: it learns the id, not those.
		return answerStored(c, created, customerHandle{ID: cu.ID, ExternalID: cu.ExternalID, Tier: cu.Tier, CreatedAt: cu.CreatedAt})
	}
	return answerStored(c, created, cu)
}

// customerHandle is what an intake system learns of the customer it
// created or matched: enough to file for it, none of its contacts.
type customerHandle struct {
	ID         string       `json:"id"`
	ExternalID string       `json:"external_id"`
	Tier       redress.Tier `json:"tier"`
	CreatedAt  time.Time    `json:"created_at"`
}

// customerRecord is a customer with the changes to its details, oldest
// first, and their win-backs, newest first.
type customerRecord struct {
	*redress.Customer
	Changes  []redress.CustomerChange `json:"changes"`
	Winbacks []redress.WinbackRecord  `json:"winbacks"`
}

// editCustomer changes a customer's details as staff, recorded in its
// change log: the only way, besides the loyalty rules, that a known
// customer's e-mail, phone or tier changes.
func (s *Server) editCustomer(c echo.Context) error {
	var edit redress.CustomerEdit
	if err := bindAndCheck(c, &edit, func(ch *redress.Checker) {
		if edit.Name != nil {
			ch.Text("name", *edit.Name, false, 200)
		}
		if edit.Email != nil {
			ch.Email("email", *edit.Email)
		}
		if edit.Phone != nil {
			ch.Phone("phone", *edit.Phone)
		}
		if edit.Tier != nil {
			redress.CheckEnum(ch, "tier", *edit.Tier, true, redress.Tiers)
		}
		if edit.Language != nil {
			redress.CheckEnum(ch, "language", *edit.Language, false, redress.Languages)
		}
		if edit.PossibleDuplicateOf != nil && *edit.PossibleDuplicateOf != "" {
			ch.Fail("possible_duplicate_of", `can only be dismissed with ""; merge the customers to make them one`)
		}
	}); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.db.EditCustomer(ctx, c.Param("id"), edit, caller(c).Name); err != nil {
		return err
	}
	return s.getCustomer(c)
}

func (s *Server) getCustomer(c echo.Context) error {
	ctx := c.Request().Context()
	cu, err := s.db.Customer(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	changes, err := s.db.CustomerChanges(ctx, cu.ID)
	if err != nil {
		return err
	}
	winbacks, err := s.db.Winbacks(ctx, cu.ID)
	if err != nil {
		return err
	}
	if err := s.audit(c, keyActor(c), redress.AuditReadCustomer, "customer:"+cu.ID, map[string]any{"where": "api"}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, customerRecord{Customer: cu, Changes: changes, Winbacks: winbacks})
}

type purchaseRequest struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	At       string  `json:"at"`
}

// addPurchase records a purchase, with the points and tier it earns.
func (s *Server) addPurchase(c echo.Context) error {
	var req purchaseRequest
	var at time.Time
	if err := bindAndCheck(c, &req, func(ch *redress.Checker) {
		ch.Money("", req.Amount, req.Currency)
		var err error
		if at, err = time.Parse(time.RFC3339, req.At); err != nil {
			ch.Fail("at", "must be an RFC 3339 time like 2026-11-22T10:00:00Z")
		} else if at.After(time.Now().Add(time.Hour)) {
			ch.Fail("at", "is in the future")
		}
	}); err != nil {
		return err
	}
	bought, err := s.desk.Purchase(c.Request().Context(), redress.Purchase{CustomerID: c.Param("id"), Amount: req.Amount,
		Currency: req.Currency, At: at.UTC()}, s.policy.Loyalty, keyActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, purchaseResponse{Purchase: bought.Purchase, PointsEarned: bought.PointsEarned, TierChange: bought.TierChange})
}

// purchaseResponse is the purchase with what it earned.
type purchaseResponse struct {
	redress.Purchase
	PointsEarned int64                `json:"points_earned"`
	TierChange   *postgres.TierChange `json:"tier_change,omitempty"`
}

type customerMergeRequest struct {
	Into string `json:"into"`
}

// mergeCustomers makes the customer in the path one with the customer
// into, and answers with the kept customer's record.
func (s *Server) mergeCustomers(c echo.Context) error {
	var req customerMergeRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	key := caller(c)
	kept, err := s.desk.MergeCustomers(c.Request().Context(), desk.Actor{Name: key.Name, By: redress.ByKey(key.Name), Role: key.Role},
		c.Param("id"), req.Into)
	if err != nil {
		return err
	}
	c.SetParamValues(kept.ID)
	return s.getCustomer(c)
}

type customerNoteRequest struct {
	Note string `json:"note"`
}

// addCustomerNote writes an internal note about the customer.
func (s *Server) addCustomerNote(c echo.Context) error {
	var req customerNoteRequest
	if err := bindAndCheck(c, &req, func(ch *redress.Checker) { ch.Text("note", req.Note, true, redress.MaxMessage) }); err != nil {
		return err
	}
	note, err := s.db.AddCustomerNote(c.Request().Context(), c.Param("id"), redress.ByKey(caller(c).Name), req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, note)
}

// customerNotes lists the internal notes about the customer, oldest first.
func (s *Server) customerNotes(c echo.Context) error {
	ctx := c.Request().Context()
	cu, err := s.db.Customer(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	notes, err := s.db.CustomerNotes(ctx, cu.ID)
	if err != nil {
		return err
	}
	if err := s.audit(c, keyActor(c), redress.AuditReadCustomer, "customer:"+cu.ID, map[string]any{"where": "api", "what": "notes"}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"notes": notes})
}
