package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// churnQuery scores customers: each open complaint 3, each survey scored 2
// or less 4, each escalated complaint 2, and a point per month since the
// last purchase (12 at most, and 12 for one who never bought). Customers
// with a win-back under way, a campaign's or a complaint's, are left out, and
// so are those whose last one finished less than the cool-down ago; so is
// anyone scoring nothing.
const churnQuery = `
WITH per_customer AS (
	SELECT cu.id, cu.tier,
		count(c.id) FILTER (WHERE c.status NOT IN ('resolved', 'closed')) AS open_complaints,
		count(c.id) FILTER (WHERE c.survey->>'status' = 'answered' AND (c.survey->>'score')::int <= 2) AS low_scores,
		count(c.id) FILTER (WHERE c.escalation_level > 0) AS escalations,
		(SELECT extract(day FROM now() - max(p.at))::int FROM purchases p WHERE p.customer_id = cu.id) AS days_since_purchase
	FROM customers cu LEFT JOIN complaints c ON c.customer_id = cu.id
	WHERE NOT EXISTS (SELECT 1 FROM winbacks w WHERE w.customer_id = cu.id
		AND (w.status = 'offered' OR w.finished_at > now() - $2::interval))
	GROUP BY cu.id, cu.tier),
scored AS (
	SELECT *, open_complaints * 3 + low_scores * 4 + escalations * 2
		+ least(coalesce(days_since_purchase / 30, 12), 12) AS score
	FROM per_customer)
SELECT id, tier, score, open_complaints, low_scores, escalations, days_since_purchase
FROM scored WHERE open_complaints + low_scores + escalations > 0
ORDER BY score DESC, id LIMIT $1`

// RiskiestCustomers returns up to limit customers by churn score, highest
// first, among those who complained, have no win-back under way and have
// had none finish within coolDown.
func (db *DB) RiskiestCustomers(ctx context.Context, limit int, coolDown time.Duration) ([]redress.ChurnRisk, error) {
	rows, err := db.pool.Query(ctx, churnQuery, limit, coolDown)
	if err != nil {
		return nil, wrap(err)
	}
	risks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.ChurnRisk, error) {
		var r redress.ChurnRisk
		var id uuid.UUID
		err := row.Scan(&id, &r.Tier, &r.Score, &r.OpenComplaints, &r.LowScores, &r.Escalations, &r.DaysSincePurchase)
		r.CustomerID = id.String()
		return r, err
	})
	return risks, wrap(err)
}
