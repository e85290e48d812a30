package redress

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// LoyaltyPolicy earns a customer their tier and points from what they buy
// (SPEC section 13). With no Tiers, a tier is what intake first gave and
// staff set, as before loyalty.
type LoyaltyPolicy struct {
	// Currency is the one purchases count in: a purchase in another earns
	// no spend and no points (Redress converts no money).
	Currency string `yaml:"currency" json:"currency"`
	// Tiers are the thresholds of silver, gold and diamond over the last 12
	// months; the highest met is the customer's tier.
	Tiers map[Tier]TierThreshold `yaml:"tiers" json:"tiers"`
	// DowngradeAfter is how long a customer stays below their tier's
	// threshold before the daily recompute lowers it.
	DowngradeAfter Duration `yaml:"downgrade_after" json:"downgrade_after"`
	// PointsPerUnit is what one unit of Currency spent earns, by tier.
	PointsPerUnit map[Tier]float64 `yaml:"points_per_unit" json:"points_per_unit"`
	// PointsExpireAfter is how long points are kept; 0 keeps them.
	PointsExpireAfter Duration `yaml:"points_expire_after" json:"points_expire_after"`
	// Cron is when the daily recompute (downgrades, expiry) runs, in the
	// policy's time zone.
	Cron string `yaml:"cron" json:"cron"`
}

// TierThreshold is what a tier asks of the last 12 months.
type TierThreshold struct {
	Spend12m     float64 `yaml:"spend_12m" json:"spend_12m"`
	Purchases12m int     `yaml:"purchases_12m,omitempty" json:"purchases_12m,omitempty"`
}

// MaxPoints bounds the points one grant or redemption moves.
const MaxPoints = 10_000_000

// LoyaltyYear is the window that tiers count purchases in.
const LoyaltyYear = 365 * 24 * time.Hour

// Earned is the tier that a year's spend and purchase count earn: the
// highest whose every threshold is met.
func (l LoyaltyPolicy) Earned(spend float64, purchases int) Tier {
	earned := TierStandard
	for _, tier := range Tiers[1:] {
		t, ok := l.Tiers[tier]
		if ok && spend >= t.Spend12m && purchases >= t.Purchases12m {
			earned = tier
		}
	}
	return earned
}

// Points is what a purchase of amount earns at tier: whole points, rounded
// down, none for a refund or another currency.
func (l LoyaltyPolicy) Points(tier Tier, amount float64, currency string) int64 {
	if currency != l.Currency || amount <= 0 {
		return 0
	}
	return int64(math.Floor(amount*l.PointsPerUnit[tier] + 1e-9))
}

// TierStanding is where a customer's tier stands for loyalty.
type TierStanding struct {
	Tier   Tier
	Pinned bool // set by staff: loyalty never moves it
	// BelowSince is when the customer fell below their tier's threshold,
	// if they are below it.
	BelowSince *time.Time
}

// NextTier decides a customer's tier from what they earned at now: an
// upgrade at once, a downgrade once they have been below for
// DowngradeAfter; a pinned tier, or loyalty without tiers, stays.
func (l LoyaltyPolicy) NextTier(s TierStanding, earned Tier, now time.Time) TierStanding {
	if s.Pinned || len(l.Tiers) == 0 {
		return TierStanding{Tier: s.Tier, Pinned: s.Pinned}
	}
	if earned.Rank() >= s.Tier.Rank() {
		return TierStanding{Tier: earned}
	}
	since := now
	if s.BelowSince != nil {
		since = *s.BelowSince
	}
	if !now.Before(since.Add(l.DowngradeAfter.D())) {
		return TierStanding{Tier: earned}
	}
	return TierStanding{Tier: s.Tier, BelowSince: &since}
}

// Rank orders the tiers: 0 for standard. An unknown tier ranks as
// standard.
func (t Tier) Rank() int {
	for i, u := range Tiers {
		if u == t {
			return i
		}
	}
	return 0
}

// TierChangeReason words why loyalty moved a tier.
func TierChangeReason(from, to Tier, spend float64, purchases int, currency string) string {
	verb := "earned"
	if to.Rank() < from.Rank() {
		verb = "fell to"
	}
	noun := "purchases"
	if purchases == 1 {
		noun = "purchase"
	}
	return fmt.Sprintf("%s %s: %.2f %s spent in %d %s over 12 months", verb, to, spend, currency, purchases, noun)
}

func (l LoyaltyPolicy) validate(bad func(field, format string, args ...any) error) error {
	if len(l.Currency) != 3 {
		return bad("loyalty.currency", "must be a 3-letter currency code")
	}
	last := TierThreshold{}
	for tier := range l.Tiers {
		if tier.Rank() == 0 {
			return bad("loyalty.tiers."+string(tier), "must be silver, gold or diamond (standard needs nothing)")
		}
	}
	for _, tier := range Tiers[1:] {
		t, ok := l.Tiers[tier]
		if !ok {
			continue
		}
		if t.Spend12m < 0 || t.Purchases12m < 0 {
			return bad("loyalty.tiers."+string(tier), "thresholds must not be negative")
		}
		if t.Spend12m < last.Spend12m || t.Purchases12m < last.Purchases12m {
			return bad("loyalty.tiers."+string(tier), "must ask at least what the tier below asks")
		}
		last = t
	}
	for tier, rate := range l.PointsPerUnit {
		if tier.Rank() == 0 && tier != TierStandard {
			return bad("loyalty.points_per_unit."+string(tier), "unknown tier")
		}
		if rate < 0 || rate > 1000 {
			return bad("loyalty.points_per_unit."+string(tier), "must be from 0 to 1000")
		}
	}
	if l.DowngradeAfter < 0 {
		return bad("loyalty.downgrade_after", "must not be negative")
	}
	if l.PointsExpireAfter < 0 {
		return bad("loyalty.points_expire_after", "must be positive, or 0 to keep points")
	}
	if len(l.Tiers) > 0 || l.PointsExpireAfter > 0 {
		if len(strings.Fields(l.Cron)) != 5 {
			return bad("loyalty.cron", "must be a 5-field cron expression, not %q", l.Cron)
		}
	}
	return nil
}
