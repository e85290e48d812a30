package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// couponHash is how a coupon's code is looked up: the code is a credential,
// kept in clear nowhere.
func couponHash(code string) []byte {
	sum := sha256.Sum256([]byte(redress.NormalizeCouponCode(code)))
	return sum[:]
}

// storeCoupon keeps a win-back's coupon: its hash to redeem it by, the code
// sealed for the customer's page.
func (db *DB) storeCoupon(ctx context.Context, tx pgx.Tx, ch redress.WinbackChange) error {
	c := ch.Coupon
	k, err := db.key(ctx, tx, ch.CustomerID)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO coupons (code_hash, code, workflow_run_id, customer_id, percent, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		couponHash(c.Code), k.Seal(place("coupons.code", ch.RunID), c.Code), ch.RunID, ch.CustomerID, c.Percent, c.ExpiresAt)
	return err
}

// CouponRedeemed tells whether a win-back's coupon was redeemed.
func (db *DB) CouponRedeemed(ctx context.Context, runID string) (bool, error) {
	var redeemed bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM coupons WHERE workflow_run_id = $1 AND redeemed_at IS NOT NULL)`,
		runID).Scan(&redeemed)
	return redeemed, wrap(err)
}

// CouponRedemption is a coupon redeemed: the purchase it was used for, the
// win-back it belongs to and the discount it gave.
type CouponRedemption struct {
	Bought   Bought  `json:"-"`
	RunID    string  `json:"-"`
	Discount float64 `json:"discount"`
}

// RedeemCoupon uses a coupon for an order: the purchase is recorded as
// AddPurchase does, in the loyalty currency, naming the coupon's win-back.
// An unknown code is ENOTFOUND; a used or expired one is EGONE.
func (db *DB) RedeemCoupon(ctx context.Context, code, orderRef string, amount float64, loyalty redress.LoyaltyPolicy, by string) (CouponRedemption, error) {
	var out CouponRedemption
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var customerID string
		var percent float64
		var expires time.Time
		var redeemed *time.Time
		err := tx.QueryRow(ctx, `SELECT workflow_run_id, customer_id::text, percent::float8, expires_at, redeemed_at
			FROM coupons WHERE code_hash = $1 FOR UPDATE`, couponHash(code)).Scan(&out.RunID, &customerID, &percent, &expires, &redeemed)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return redress.Errorf(redress.ENOTFOUND, "no coupon has this code")
		case err != nil:
			return err
		case redeemed != nil:
			return redress.Errorf(redress.EGONE, "this coupon was used on %s", redeemed.UTC().Format(time.DateOnly))
		case !time.Now().Before(expires):
			return redress.Errorf(redress.EGONE, "this coupon expired on %s", expires.UTC().Format(time.DateOnly))
		}
		now := time.Now().UTC()
		out.Bought, err = db.addPurchase(ctx, tx, redress.Purchase{CustomerID: customerID, Amount: amount,
			Currency: loyalty.Currency, At: now, CouponRunID: out.RunID}, loyalty, by)
		if err != nil {
			return err
		}
		out.Discount = float64(int64(amount*percent+0.5)) / 100
		_, err = tx.Exec(ctx, `UPDATE coupons SET redeemed_at = $2, order_ref = $3, amount = $4, currency = $5, purchase_id = $6
			WHERE code_hash = $1`, couponHash(code), now, orderRef, amount, loyalty.Currency, out.Bought.Purchase.ID)
		return err
	})
	return out, wrap(err)
}
