package postgres

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

// AgentFigures is how one assignee handled the complaints filed in a window
// that are theirs now (SPEC section 4, analytics/agents). Times are wall
// clock seconds; rates are percentages, null when nothing was measured.
type AgentFigures struct {
	Assignee             string      `json:"assignee"`
	Handled              int         `json:"handled"`
	TimeToAcknowledge    MedianStats `json:"time_to_acknowledge"`
	TimeToResolve        MedianStats `json:"time_to_resolve"`
	AckSLACompliance     *float64    `json:"ack_sla_compliance_pct"`
	ResolveSLACompliance *float64    `json:"resolve_sla_compliance_pct"`
	CSATAverage          *float64    `json:"csat_average"`
	CSATAnswered         int         `json:"csat_answered"`
	ReopenRate           *float64    `json:"reopen_rate_pct"`
}

// MedianStats is a duration's median over the complaints that have one.
type MedianStats struct {
	Count         int      `json:"count"`
	MedianSeconds *float64 `json:"median_seconds"`
}

// agentsQuery measures each assignee's complaints of the window, on the
// summary's definitions; time to resolve runs to the first resolution.
const agentsQuery = windowComplaints + `SELECT c.assignee, count(*),` + slaCompliance + `,
	count(c.acknowledged_at),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.created_at)),
	count(c.first_resolved_at),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_resolved_at - c.created_at)),
	avg((c.survey->>'score')::int) FILTER (WHERE c.` + answeredSurvey + `)::float8,
	count(*) FILTER (WHERE c.` + answeredSurvey + `),
	count(*) FILTER (WHERE c.reopened)
FROM c WHERE c.assignee <> '' GROUP BY 1 ORDER BY 1`

// AgentPerformance measures, per assignee, the complaints filed from from
// (inclusive) to to. A complaint counts for whoever holds it now: a
// reassigned complaint moves with its figures.
func (db *DB) AgentPerformance(ctx context.Context, from, to time.Time) ([]AgentFigures, error) {
	rows, err := db.pool.Query(ctx, agentsQuery, from, to)
	if err != nil {
		return nil, wrap(err)
	}
	agents, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AgentFigures, error) {
		var a AgentFigures
		var ackMeasured, ackMet, resolveMeasured, resolveMet, reopened int
		err := row.Scan(&a.Assignee, &a.Handled, &ackMeasured, &ackMet, &resolveMeasured, &resolveMet,
			&a.TimeToAcknowledge.Count, &a.TimeToAcknowledge.MedianSeconds, &a.TimeToResolve.Count, &a.TimeToResolve.MedianSeconds,
			&a.CSATAverage, &a.CSATAnswered, &reopened)
		a.AckSLACompliance, a.ResolveSLACompliance = percent(ackMet, ackMeasured), percent(resolveMet, resolveMeasured)
		a.ReopenRate = percent(reopened, a.TimeToResolve.Count)
		for _, v := range []*float64{a.TimeToAcknowledge.MedianSeconds, a.TimeToResolve.MedianSeconds, a.CSATAverage} {
			if v != nil {
				*v = math.Round(*v*100) / 100
			}
		}
		return a, err
	})
	if agents == nil {
		agents = []AgentFigures{}
	}
	return agents, wrap(err)
}
