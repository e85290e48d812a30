package desk

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/workflows"
)

// Purchase records a customer's purchase (see postgres.AddPurchase), tells
// a running win-back of the buyer, or of a customer merged into them, and
// tells the buyer's running complaints a tier it moved. A purchase stored
// but not signalled still counts: a win-back looks in the database before
// it calls the customer lost, and the daily recompute finds the tier.
func (d *Desk) Purchase(ctx context.Context, p redress.Purchase, loyalty redress.LoyaltyPolicy, by string) (postgres.Bought, error) {
	bought, err := d.db.AddPurchase(ctx, p, loyalty, by)
	if err != nil {
		return bought, err
	}
	d.tellPurchase(ctx, bought)
	return bought, nil
}

// tellPurchase tells what a stored purchase moved: a running win-back of
// the buyer, or of a customer merged into them, and the running complaints
// of a buyer whose tier it changed.
func (d *Desk) tellPurchase(ctx context.Context, bought postgres.Bought) {
	buyers, err := d.db.MergedCustomers(ctx, bought.Purchase.CustomerID)
	if err != nil {
		d.logger.Warn("purchase stored; the customers merged into its buyer are unknown", "customer", bought.Purchase.CustomerID, "error", err)
	}
	for _, buyer := range append([]string{bought.Purchase.CustomerID}, buyers...) {
		err = d.temporal.SignalWorkflow(ctx, redress.WinbackWorkflowID(buyer), "", workflows.PurchaseSignal, bought.Purchase)
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			d.logger.Warn("purchase stored but the win-back was not told", "customer", buyer, "error", err)
		}
	}
	if ch := bought.TierChange; ch != nil {
		if err := activities.TellTier(ctx, d.db, d.temporal, *ch); err != nil {
			d.logger.Warn("tier changed but not every complaint was told", "customer", ch.CustomerID, "error", err)
		}
	}
}

// RedeemPoints spends a customer's points under the caller's reference
// (see postgres.RedeemPoints).
func (d *Desk) RedeemPoints(ctx context.Context, customerID string, points int64, reference, by string) (postgres.Redemption, error) {
	ch := &redress.Checker{}
	if points <= 0 || points > redress.MaxPoints {
		ch.Fail("points", "must be from 1 to %d", redress.MaxPoints)
	}
	ch.Text("reference", reference, true, 200)
	if err := ch.Err(); err != nil {
		return postgres.Redemption{}, err
	}
	return d.db.RedeemPoints(ctx, customerID, points, reference, by)
}

// RedeemCoupon uses a win-back's coupon for an order (see
// postgres.RedeemCoupon) and tells the win-back, which ends won back.
func (d *Desk) RedeemCoupon(ctx context.Context, code, orderRef string, amount float64, loyalty redress.LoyaltyPolicy, by string) (postgres.CouponRedemption, error) {
	ch := &redress.Checker{}
	ch.Text("order_ref", orderRef, true, 200)
	ch.Money("", amount, loyalty.Currency)
	if n := len(redress.NormalizeCouponCode(code)); n == 0 || n > 40 {
		return postgres.CouponRedemption{}, redress.Errorf(redress.ENOTFOUND, "no coupon has this code")
	}
	if err := ch.Err(); err != nil {
		return postgres.CouponRedemption{}, err
	}
	used, err := d.db.RedeemCoupon(ctx, code, orderRef, amount, loyalty, by)
	if err != nil {
		return used, err
	}
	d.tellPurchase(ctx, used.Bought)
	return used, nil
}
