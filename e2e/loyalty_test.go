package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/workflows"
)

// loyaltyPolicy earns silver at 100 CNY and gold at 500 in two purchases;
// a win-back counts only its coupon.
const loyaltyPolicy = `
reopen_within: 2s
survey: {remind_after: 5s, expire_after: 10s}
winback: {within: 1h, coupon_only: true, offers: {diamond: {kind: coupon, percent: 25}}}
sla_by_tier: {diamond: {P2: {ack_within: 4h}}}
loyalty:
  tiers: {silver: {spend_12m: 100}, gold: {spend_12m: 500, purchases_12m: 2}, diamond: {spend_12m: 100000, purchases_12m: 2}}
  points_per_unit: {standard: 1, silver: 2, gold: 3}
`

type customerWithChanges struct {
	redress.Customer
	Changes  []redress.CustomerChange `json:"changes"`
	Winbacks []redress.WinbackRecord  `json:"winbacks"`
}

type bought struct {
	redress.Purchase
	PointsEarned int64                `json:"points_earned"`
	TierChange   *postgres.TierChange `json:"tier_change"`
	Discount     float64              `json:"discount"`
}

// Loyalty over HTTP (SPEC section 13): purchases earn tiers and points in
// their transaction, points are redeemed once per reference and never
// below zero, a resolution compensates with points, a pinned tier stays,
// and a win-back's coupon wins the customer back once.
func TestLoyaltyOverHTTP(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: loyaltyPolicy})
	ctx := context.Background()
	if _, err := s.Temporal.ScheduleClient().GetHandle(ctx, workflows.LoyaltyScheduleID).Describe(ctx); err != nil {
		t.Fatalf("the loyalty schedule: %v", err)
	}
	c := file(t, s, newComplaint("crm-loyalty"))
	if c.SLARow != "sla.P3" || c.AckDueAt.Sub(c.CreatedAt) != 24*time.Hour {
		t.Errorf("a standard customer's complaint keeps %q, acknowledged within %s", c.SLARow, c.AckDueAt.Sub(c.CreatedAt))
	}
	// A diamond customer's P2 is acknowledged within the tier's 4 hours and
	// resolved within the table's 72.
	diamond := newComplaint("crm-loyalty-diamond")
	diamond["customer"].(map[string]any)["tier"] = "diamond"
	d := file(t, s, diamond)
	if d.Priority != redress.P2 || d.SLARow != "sla_by_tier.diamond.P2" || d.AckDueAt.Sub(d.CreatedAt) != 4*time.Hour ||
		d.ResolveDueAt.Sub(d.CreatedAt) != 72*time.Hour {
		t.Errorf("a diamond customer's complaint: %s keeps %q, due %s and %s after filing", d.Priority, d.SLARow,
			d.AckDueAt.Sub(d.CreatedAt), d.ResolveDueAt.Sub(d.CreatedAt))
	}
	customer := "/v1/customers/" + c.CustomerID
	buy := func(amount float64, currency string) bought {
		var b bought
		ok(t, "purchase", s.Do("POST", customer+"/purchases", "dev-intake", map[string]any{
			"amount": amount, "currency": currency, "at": time.Now().UTC().Format(time.RFC3339)}), 201).JSON(t, &b)
		return b
	}
	read := func() customerWithChanges {
		var cu customerWithChanges
		ok(t, "customer", s.Do("GET", customer, "dev-agent", nil), 200).JSON(t, &cu)
		return cu
	}

	// 150 CNY: silver at once, the points at silver's rate.
	first := buy(150, "CNY")
	if first.TierChange == nil || first.TierChange.From != redress.TierStandard || first.TierChange.To != redress.TierSilver || first.PointsEarned != 300 {
		t.Fatalf("the first purchase: %+v, tier change %+v", first, first.TierChange)
	}
	if other := buy(1000, "USD"); other.PointsEarned != 0 || other.TierChange != nil {
		t.Errorf("a purchase in another currency earned %d points, tier %+v", other.PointsEarned, other.TierChange)
	}
	cu := read()
	last := cu.Changes[len(cu.Changes)-1]
	if cu.Tier != redress.TierSilver || cu.Points != 300 || last.Kind != redress.CustomerTierChanged ||
		last.Fields["tier"].To != "silver" || last.Reason == "" {
		t.Fatalf("after the purchase: tier %s, %d points, last change %+v", cu.Tier, cu.Points, last)
	}
	waitForEvent(t, s, c.CustomerID, redress.EventTierChanged)

	// Redemptions: once per reference, never below zero.
	var red postgres.Redemption
	ok(t, "redeem", s.Do("POST", customer+"/points/redeem", "dev-intake", map[string]any{"points": 200, "reference": "order-7"}), 201).JSON(t, &red)
	if red.Balance != 100 {
		t.Errorf("after redeeming 200 of 300: balance %d", red.Balance)
	}
	again := ok(t, "the same redemption", s.Do("POST", customer+"/points/redeem", "dev-intake", map[string]any{"points": 200, "reference": "order-7"}), 200)
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a retried redemption is not marked as replayed")
	}
	ok(t, "another amount under the reference", s.Do("POST", customer+"/points/redeem", "dev-intake", map[string]any{"points": 1, "reference": "order-7"}), 409)
	ok(t, "below zero", s.Do("POST", customer+"/points/redeem", "dev-intake", map[string]any{"points": 101, "reference": "order-8"}), 409)
	ok(t, "no points", s.Do("POST", customer+"/points/redeem", "dev-intake", map[string]any{"points": 0, "reference": "order-9"}), 422)
	ok(t, "an agent may not redeem", s.Do("POST", customer+"/points/redeem", "dev-agent", map[string]any{"points": 1, "reference": "order-9"}), 403)

	// A resolution that compensates with points.
	ok(t, "resolve", s.Do("POST", "/v1/complaints/"+c.ID+"/resolve", "dev-agent", map[string]any{
		"resolution_type": "apology", "summary": "Sorry", "root_cause": "logistics", "compensation": map[string]any{"points": 50}}), 200)
	var points struct {
		Balance int64                 `json:"balance"`
		Ledger  []postgres.PointsLine `json:"ledger"`
	}
	ok(t, "points", s.Do("GET", customer+"/points", "dev-agent", nil), 200).JSON(t, &points)
	var sum int64
	kinds := ""
	for _, l := range points.Ledger {
		sum += l.Points
		kinds += l.Kind + " "
	}
	if points.Balance != 150 || sum != 150 || kinds != "granted redeemed earned " {
		t.Errorf("balance %d, ledger sum %d, kinds %q; want 150 from earned, redeemed, granted", points.Balance, sum, kinds)
	}

	// A low score: the win-back's coupon, redeemed once.
	ok(t, "confirm", s.Do("POST", "/v1/track/"+c.TrackingToken+"/confirm", "", nil), 200)
	// Purchases are reported to the second and the offer's own second
	// counts: the earlier purchases must fall before it.
	time.Sleep(1100 * time.Millisecond)
	ok(t, "survey", s.Do("POST", "/v1/surveys/"+surveyToken(t, s, c.ID), "", map[string]any{"score": 1}), 200)
	var coupon *redress.Coupon
	for deadline := time.Now().Add(20 * time.Second); coupon == nil; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no coupon offered: %+v", read().Winbacks)
		}
		if wbs := read().Winbacks; len(wbs) > 0 {
			coupon = wbs[0].Coupon
		}
	}
	// A purchase alone does not win the customer back under coupon_only.
	buy(10, "CNY")
	var used bought
	ok(t, "redeem the coupon", s.Do("POST", "/v1/coupons/"+coupon.Code+"/redeem", "dev-intake",
		map[string]any{"order_ref": "SO-1", "amount": 400}), 201).JSON(t, &used)
	if used.Discount != 60 || used.CouponRunID == "" || used.TierChange == nil || used.TierChange.To != redress.TierGold {
		t.Errorf("the coupon's purchase: %+v, tier change %+v", used, used.TierChange)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		wb := read().Winbacks[0]
		if wb.Outcome == redress.WinbackWonBack && wb.CouponUsed != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the win-back after its coupon: %+v", wb)
		}
	}
	ok(t, "the coupon again", s.Do("POST", "/v1/coupons/"+coupon.Code+"/redeem", "dev-intake", map[string]any{"order_ref": "SO-2", "amount": 10}), 410)
	ok(t, "an unknown coupon", s.Do("POST", "/v1/coupons/ABCD-EFGH-JKLM/redeem", "dev-intake", map[string]any{"order_ref": "SO-3", "amount": 10}), 404)

	// The win-back analytics: by the tier offered at, and by trigger.
	var figures postgres.WinbackAnalytics
	ok(t, "win-back analytics", s.Do("GET", "/v1/analytics/winbacks", "dev-supervisor", nil), 200).JSON(t, &figures)
	want := postgres.WinbackFigures{Offers: 1, CouponsRedeemed: 1, CouponCost: 60, WonBack: 1, RevenueKept: 410}
	byTier, byTrigger := want, want
	byTier.Tier, byTrigger.Trigger = "silver", "low_score"
	if len(figures.ByTier) != 1 || figures.ByTier[0] != byTier || len(figures.ByTrigger) != 1 || figures.ByTrigger[0] != byTrigger {
		t.Errorf("win-back analytics: by tier %+v, by trigger %+v; want %+v and %+v", figures.ByTier, figures.ByTrigger, byTier, byTrigger)
	}

	// Staff pin a tier: purchases no longer move it.
	ok(t, "pin", s.Do("PATCH", customer, "dev-supervisor", map[string]any{"tier": "silver"}), 200)
	if b := buy(200000, "CNY"); b.TierChange != nil {
		t.Errorf("a pinned tier moved: %+v", b.TierChange)
	}
	if cu := read(); cu.Tier != redress.TierSilver || !cu.TierPinned {
		t.Errorf("after pinning: tier %s, pinned %v", cu.Tier, cu.TierPinned)
	}
}

// waitForEvent waits for an event of the customer's in the outbox.
func waitForEvent(t *testing.T, s *redresstest.Stack, customerID, eventType string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), s.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE customer_id = $1 AND type = $2`,
			customerID, eventType).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s event for customer %s", eventType, customerID)
		}
	}
}
