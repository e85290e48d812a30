package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

// A coupon offer carries a code that expires with the win-back; the
// customer's mail gets it.
func TestCouponOfferCarriesACode(t *testing.T) {
	env, store := newWinbackEnv(t)
	env.ExecuteWorkflow(workflows.Winback, winbackInput(redress.TierSilver))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	first := store.winbacks[0]
	c := first.Coupon
	if c == nil || len(c.Code) != 14 || c.Percent != 15 || first.Tier != redress.TierSilver {
		t.Fatalf("first step = %+v, coupon %+v", first, c)
	}
	if !c.ExpiresAt.Equal(start.Add(redress.DefaultPolicy().Winback.Within.D())) {
		t.Errorf("the coupon expires at %s, want the end of the win-back's window", c.ExpiresAt)
	}
	if strings.Trim(redress.NormalizeCouponCode(c.Code), redress.CouponAlphabet) != "" {
		t.Errorf("code %q has letters outside the alphabet", c.Code)
	}
	if got := first.Events[0].Data["coupon"]; got != c.Code {
		t.Errorf("winback.offered carries %v, want the code", got)
	}
	if store.winbacks[1].Coupon != nil {
		t.Errorf("the last step stores the coupon again")
	}
	// Credits have no code.
	env, store = newWinbackEnv(t)
	env.ExecuteWorkflow(workflows.Winback, winbackInput(redress.TierDiamond))
	if store.winbacks[0].Coupon != nil {
		t.Errorf("a credit came with a coupon: %+v", store.winbacks[0].Coupon)
	}
}

// Under winback.coupon_only a purchase alone does not win the customer
// back; the coupon's redemption does, signalled or found in the database,
// and only within the window.
func TestCouponOnlyWinback(t *testing.T) {
	within := redress.DefaultPolicy().Winback.Within.D()
	for _, tt := range []struct {
		name     string
		coupon   bool          // the purchase signalled names this win-back's coupon
		after    time.Duration // when it is signalled and made
		redeemed bool          // the database's last look finds the coupon redeemed
		outcome  string
	}{
		{"a purchase without the coupon", false, 24 * time.Hour, false, redress.WinbackLost},
		{"the coupon redeemed", true, 24 * time.Hour, false, redress.WinbackWonBack},
		{"the coupon's redemption found at the last look", false, 0, true, redress.WinbackWonBack},
		{"a coupon redeemed after it expired", true, within + time.Hour, false, redress.WinbackLost},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, store := newWinbackEnv(t)
			store.couponRedeemed = tt.redeemed
			in := winbackInput(redress.TierStandard)
			in.Policy.CouponOnly = true
			if tt.after > 0 {
				env.RegisterDelayedCallback(func() {
					p := redress.Purchase{Amount: 10, Currency: "CNY", At: start.Add(tt.after)}
					if tt.coupon {
						p.CouponRunID = store.winbacks[0].RunID
					}
					env.SignalWorkflow(workflows.PurchaseSignal, p)
				}, min(tt.after, within-time.Minute))
			}
			env.ExecuteWorkflow(workflows.Winback, in)
			var wb redress.Winback
			if err := env.GetWorkflowResult(&wb); err != nil {
				t.Fatal(err)
			}
			if wb.Outcome != tt.outcome {
				t.Errorf("outcome = %s, want %s", wb.Outcome, tt.outcome)
			}
		})
	}
}

// A tier that loyalty changes while a complaint runs is the one its
// win-back is offered at.
func TestTierChangeMidFlightReachesTheWinback(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	winbacks := h.expectWinback()
	h.at(30*time.Minute, func() {
		h.env.SignalWorkflow(redress.CustomerChangedSignal, redress.CustomerChanged{CustomerID: h.in.CustomerID, Tier: redress.TierGold})
	})
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	h.update(2*time.Hour, workflows.ConfirmUpdate, nil)
	h.update(3*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 1})
	h.run()
	if len(*winbacks) != 1 || (*winbacks)[0].Tier != redress.TierGold {
		t.Fatalf("win-backs = %+v", *winbacks)
	}
}
