package redress_test

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/redress-dev/redress"
)

// TestTiersMatchTheModel follows one customer through random purchases and
// days, and compares the tier loyalty gives them with the rule read
// plainly: the highest tier whose thresholds the last 12 months meet; a
// rise at once; a fall only once the customer has been below their tier,
// without a break, for the whole grace; a pinned tier never moves.
func TestTiersMatchTheModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := redress.DefaultPolicy().Loyalty
		l.DowngradeAfter = redress.Duration(time.Duration(rapid.IntRange(0, 60).Draw(t, "grace days")) * 24 * time.Hour)
		type buy struct {
			at     time.Time
			amount float64
		}
		var bought []buy
		now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		standing := redress.TierStanding{Tier: rapid.SampledFrom(redress.Tiers).Draw(t, "first tier")}
		pinned := rapid.Bool().Draw(t, "pinned")
		standing.Pinned = pinned
		modelTier, firstTier := standing.Tier, standing.Tier
		var belowFrom *time.Time // the model's: since when the customer has been below modelTier
		for step := range rapid.IntRange(1, 60).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.IntRange(0, 40*24).Draw(t, "hours")) * time.Hour)
			if rapid.Bool().Draw(t, "buys") {
				bought = append(bought, buy{now, float64(rapid.IntRange(1, 30000).Draw(t, "amount"))})
			}
			spend, count := 0.0, 0
			for _, b := range bought {
				if b.at.After(now.Add(-redress.LoyaltyYear)) && !b.at.After(now) {
					spend += b.amount
					count++
				}
			}
			// The plain rule.
			earned := redress.TierStandard
			for _, tier := range []redress.Tier{redress.TierSilver, redress.TierGold, redress.TierDiamond} {
				th := l.Tiers[tier]
				if spend >= th.Spend12m && count >= th.Purchases12m {
					earned = tier
				}
			}
			if got := l.Earned(spend, count); got != earned {
				t.Fatalf("step %d: %.0f spent in %d purchases earns %s, want %s", step, spend, count, got, earned)
			}
			switch {
			case pinned:
				modelTier = firstTier
			case earned.Rank() >= modelTier.Rank():
				modelTier, belowFrom = earned, nil
			case belowFrom == nil && l.DowngradeAfter == 0:
				modelTier = earned
			case belowFrom == nil:
				since := now
				belowFrom = &since
			case now.Sub(*belowFrom) >= l.DowngradeAfter.D():
				modelTier, belowFrom = earned, nil
			}
			standing = l.NextTier(standing, earned, now)
			standing.Pinned = pinned
			if standing.Tier != modelTier {
				t.Fatalf("step %d at %s: tier %s, the model says %s (earned %s, below since %v)",
					step, now.Format(time.DateOnly), standing.Tier, modelTier, earned, belowFrom)
			}
		}
	})
}

func TestPointsRoundDownAndCountOneCurrency(t *testing.T) {
	l := redress.DefaultPolicy().Loyalty
	for _, tt := range []struct {
		tier     redress.Tier
		amount   float64
		currency string
		want     int64
	}{
		{redress.TierStandard, 99.99, "CNY", 99},
		{redress.TierSilver, 100, "CNY", 120},
		{redress.TierGold, 0.7, "CNY", 1}, // 1.05
		{redress.TierDiamond, 250.5, "CNY", 501},
		{redress.TierDiamond, 250.5, "USD", 0},
		{redress.TierGold, -10, "CNY", 0},
	} {
		if got := l.Points(tt.tier, tt.amount, tt.currency); got != tt.want {
			t.Errorf("%s buys %.2f %s: %d points, want %d", tt.tier, tt.amount, tt.currency, got, tt.want)
		}
	}
}
