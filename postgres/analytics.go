package postgres

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

// Summary describes the complaints filed in a window (SPEC section 4,
// analytics). Rates are percentages, null when nothing was measured yet.
type Summary struct {
	From                 time.Time        `json:"from"`
	To                   time.Time        `json:"to"`
	Total                int              `json:"total"`
	ByStatus             map[string]int   `json:"by_status"`
	ByCategory           map[string]int   `json:"by_category"`
	ByPriority           map[string]int   `json:"by_priority"`
	ByChannel            map[string]int   `json:"by_channel"`
	AckSLACompliance     *float64         `json:"ack_sla_compliance_pct"`
	ResolveSLACompliance *float64         `json:"resolve_sla_compliance_pct"`
	TimeToAcknowledge    DurationStats    `json:"time_to_acknowledge"`
	TimeToResolve        DurationStats    `json:"time_to_resolve"`
	CSAT                 CSAT             `json:"csat"`
	ReopenRate           *float64         `json:"reopen_rate_pct"`
	WinbackRate          *float64         `json:"winback_rate_pct"`
	TopRootCauses        []RootCauseCount `json:"top_root_causes"`
}

// DurationStats are wall-clock durations in seconds.
type DurationStats struct {
	Count       int      `json:"count"`
	MeanSeconds *float64 `json:"mean_seconds"`
	P90Seconds  *float64 `json:"p90_seconds"`
}

// CSAT is the satisfaction survey's outcome.
type CSAT struct {
	Average      *float64 `json:"average"`
	Answered     int      `json:"answered"`
	Sent         int      `json:"sent"`
	ResponseRate *float64 `json:"response_rate_pct"`
}

// RootCauseCount is one line of the root-cause ranking.
type RootCauseCount struct {
	RootCause string `json:"root_cause"`
	Count     int    `json:"count"`
}

// windowComplaints selects the complaints filed in a window ($1 to $2) as c.
// Each carries its outcomes (the deadlines it breached, its first
// resolution, whether it was reopened), which the projection keeps.
const windowComplaints = `
WITH c AS (SELECT * FROM complaints WHERE created_at >= $1 AND created_at < $2)
`

// slaCompliance counts, over windowComplaints as c, the complaints measured
// for the acknowledgement SLA and those that met it, then the same for the
// resolution SLA. The SLA is met when a complaint was acknowledged
// (resolved) without an acknowledgement (resolution) breach; complaints still
// within their window are not counted either way.
const slaCompliance = `
	count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL OR c.ack_breached),
	count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL AND NOT c.ack_breached),
	count(*) FILTER (WHERE c.first_resolved_at IS NOT NULL OR c.resolve_breached),
	count(*) FILTER (WHERE c.first_resolved_at IS NOT NULL AND NOT c.resolve_breached)`

// answeredSurvey holds for a complaint whose customer gave a CSAT score.
const answeredSurvey = `survey->>'status' = 'answered'`

// summaryQuery measures the window's complaints in one pass. Time to resolve
// runs to the first resolution.
const summaryQuery = windowComplaints + `SELECT
	count(*),` + slaCompliance + `,
	count(c.acknowledged_at),
	avg(extract(epoch FROM c.acknowledged_at - c.created_at))::float8,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.created_at)),
	count(c.first_resolved_at),
	avg(extract(epoch FROM c.first_resolved_at - c.created_at))::float8,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_resolved_at - c.created_at)),
	avg((c.survey->>'score')::int) FILTER (WHERE c.` + answeredSurvey + `)::float8,
	count(*) FILTER (WHERE c.` + answeredSurvey + `),
	count(*) FILTER (WHERE c.survey->>'status' IN ('sent', 'reminded', 'answered', 'expired')),
	count(*) FILTER (WHERE c.reopened),
	count(*) FILTER (WHERE c.first_resolved_at IS NOT NULL),
	count(*) FILTER (WHERE c.winback->>'outcome' = 'won_back'),
	count(*) FILTER (WHERE c.winback->>'status' = 'finished')
FROM c`

// Summary measures the complaints filed from from (inclusive) to to.
func (db *DB) Summary(ctx context.Context, from, to time.Time) (*Summary, error) {
	s := &Summary{From: from, To: to, ByStatus: map[string]int{}, ByCategory: map[string]int{},
		ByPriority: map[string]int{}, ByChannel: map[string]int{}, TopRootCauses: []RootCauseCount{}}
	var ackMeasured, ackMet, resolveMeasured, resolveMet, reopened, resolved, wonBack, finished int
	err := db.pool.QueryRow(ctx, summaryQuery, from, to).Scan(
		&s.Total, &ackMeasured, &ackMet, &resolveMeasured, &resolveMet,
		&s.TimeToAcknowledge.Count, &s.TimeToAcknowledge.MeanSeconds, &s.TimeToAcknowledge.P90Seconds,
		&s.TimeToResolve.Count, &s.TimeToResolve.MeanSeconds, &s.TimeToResolve.P90Seconds,
		&s.CSAT.Average, &s.CSAT.Answered, &s.CSAT.Sent, &reopened, &resolved, &wonBack, &finished)
	if err != nil {
		return nil, wrap(err)
	}
	s.AckSLACompliance = percent(ackMet, ackMeasured)
	s.ResolveSLACompliance = percent(resolveMet, resolveMeasured)
	s.CSAT.ResponseRate = percent(s.CSAT.Answered, s.CSAT.Sent)
	s.ReopenRate = percent(reopened, resolved)
	s.WinbackRate = percent(wonBack, finished)
	for _, v := range []*float64{s.TimeToAcknowledge.MeanSeconds, s.TimeToAcknowledge.P90Seconds,
		s.TimeToResolve.MeanSeconds, s.TimeToResolve.P90Seconds, s.CSAT.Average} {
		if v != nil {
			*v = math.Round(*v*100) / 100
		}
	}

	rows, err := db.pool.Query(ctx, `
		SELECT 'status', status, count(*) FROM complaints WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
		UNION ALL SELECT 'category', category, count(*) FROM complaints WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
		UNION ALL SELECT 'priority', priority, count(*) FROM complaints WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
		UNION ALL SELECT 'channel', channel, count(*) FROM complaints WHERE created_at >= $1 AND created_at < $2 GROUP BY 2`, from, to)
	if err != nil {
		return nil, wrap(err)
	}
	groups := map[string]map[string]int{"status": s.ByStatus, "category": s.ByCategory, "priority": s.ByPriority, "channel": s.ByChannel}
	var dimension, value string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&dimension, &value, &n}, func() error {
		groups[dimension][value] = n
		return nil
	}); err != nil {
		return nil, wrap(err)
	}

	if s.TopRootCauses, err = db.rootCauses(ctx, from, to, 5); err != nil {
		return nil, err
	}
	return s, nil
}

func percent(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	p := math.Round(float64(part)*1000/float64(whole)) / 10
	return &p
}

// rootCauses ranks the root causes of the complaints filed in a window that
// were resolved, the most frequent first; limit 0 keeps them all.
func (db *DB) rootCauses(ctx context.Context, from, to time.Time, limit int) ([]RootCauseCount, error) {
	rows, err := db.pool.Query(ctx, `SELECT resolution->>'root_cause', count(*) FROM complaints
		WHERE created_at >= $1 AND created_at < $2 AND resolution IS NOT NULL
		GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT nullif($3, 0)`, from, to, limit)
	if err != nil {
		return nil, wrap(err)
	}
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RootCauseCount])
	return counts, wrap(err)
}
