package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// WinbackFigures are what win-backs did for one tier or one trigger.
type WinbackFigures struct {
	Tier    string `json:"tier,omitempty"`
	Trigger string `json:"trigger,omitempty"` // low_score, reopen, breach, campaign, other
	Offers  int    `json:"offers"`
	// CouponsRedeemed and CouponCost are the coupons used and what they
	// took off, in the loyalty currency.
	CouponsRedeemed int     `json:"coupons_redeemed"`
	CouponCost      float64 `json:"coupon_cost"`
	WonBack         int     `json:"won_back"`
	// RevenueKept is what the won-back customers bought, in the loyalty
	// currency, from the offer to 90 days after the win-back ended.
	RevenueKept float64 `json:"revenue_kept"`
}

// WinbackAnalytics are the figures of the win-backs offered in a window.
type WinbackAnalytics struct {
	From      time.Time        `json:"from"`
	To        time.Time        `json:"to"`
	Currency  string           `json:"currency"`
	ByTier    []WinbackFigures `json:"by_tier"`
	ByTrigger []WinbackFigures `json:"by_trigger"`
}

// revenueWindow is how long after a win-back the revenue it kept counts.
const revenueWindow = 90 * 24 * time.Hour

// winbackTrigger names a win-back's trigger from its reason, as the
// complaint workflow and the campaign word it.
const winbackTrigger = `CASE
	WHEN w.reason LIKE 'satisfaction score%' THEN 'low_score'
	WHEN w.reason LIKE '%reopened%' THEN 'reopen'
	WHEN w.reason LIKE 'SLA breach%' THEN 'breach'
	WHEN w.reason LIKE 'retention campaign%' THEN 'campaign'
	ELSE 'other' END`

// WinbackAnalytics measures the win-backs offered from from to to, by the tier they
// were offered at and by what triggered them.
func (db *DB) WinbackAnalytics(ctx context.Context, currency string, from, to time.Time) (WinbackAnalytics, error) {
	out := WinbackAnalytics{From: from, To: to, Currency: currency, ByTier: []WinbackFigures{}, ByTrigger: []WinbackFigures{}}
	rows, err := db.pool.Query(ctx, `WITH offered AS (
			SELECT w.tier, `+winbackTrigger+` AS trigger, w.outcome, c.redeemed_at, c.amount, c.percent,
				CASE WHEN w.outcome = 'won_back' THEN (SELECT coalesce(sum(p.amount), 0) FROM purchases p
					WHERE p.customer_id = w.customer_id AND p.currency = $3
						AND p.at >= date_trunc('second', w.started_at) AND p.at < w.finished_at + make_interval(secs => $4))
				ELSE 0 END AS revenue
			FROM winbacks w LEFT JOIN coupons c USING (workflow_run_id)
			WHERE w.started_at >= $1 AND w.started_at < $2)
		SELECT GROUPING(tier) = 0, coalesce(nullif(tier, ''), 'unrecorded'), trigger, count(*)::int,
			count(redeemed_at)::int, coalesce(sum(amount * percent / 100) FILTER (WHERE redeemed_at IS NOT NULL), 0)::float8,
			count(*) FILTER (WHERE outcome = 'won_back')::int, coalesce(sum(revenue), 0)::float8
		FROM offered GROUP BY GROUPING SETS ((tier), (trigger)) ORDER BY 1, 2, 3`,
		from, to, currency, revenueWindow.Seconds())
	if err != nil {
		return out, wrap(err)
	}
	var byTier bool
	var tier string
	var trigger *string
	var f WinbackFigures
	_, err = pgx.ForEachRow(rows, []any{&byTier, &tier, &trigger, &f.Offers, &f.CouponsRedeemed, &f.CouponCost, &f.WonBack, &f.RevenueKept},
		func() error {
			if byTier {
				f.Tier, f.Trigger = tier, ""
				out.ByTier = append(out.ByTier, f)
			} else {
				f.Tier, f.Trigger = "", *trigger
				out.ByTrigger = append(out.ByTrigger, f)
			}
			return nil
		})
	return out, wrap(err)
}
