package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

// TimeseriesMetrics are the figures a timeseries can follow, each an
// aggregate over the complaints filed in a bucket on the summary's
// definitions: the value (null when nothing was measured) and how many
// complaints it measured.
var TimeseriesMetrics = map[string]struct{ value, measured string }{
	"volume": {`count(*)::float8`, `count(*)`},
	"ack_sla_compliance_pct": {
		`round(100.0 * count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL AND NOT c.ack_breached) /
			nullif(count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL OR c.ack_breached), 0), 1)::float8`,
		`count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL OR c.ack_breached)`},
	"resolve_sla_compliance_pct": {
		`round(100.0 * count(*) FILTER (WHERE c.first_resolved_at IS NOT NULL AND NOT c.resolve_breached) /
			nullif(count(*) FILTER (WHERE c.first_resolved_at IS NOT NULL OR c.resolve_breached), 0), 1)::float8`,
		`count(*) FILTER (WHERE c.first_resolved_at IS NOT NULL OR c.resolve_breached)`},
	"time_to_acknowledge_mean_seconds": {`avg(extract(epoch FROM c.acknowledged_at - c.created_at))::float8`, `count(c.acknowledged_at)`},
	"time_to_acknowledge_p90_seconds": {
		`percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.created_at))`, `count(c.acknowledged_at)`},
	"time_to_resolve_mean_seconds": {`avg(extract(epoch FROM c.first_resolved_at - c.created_at))::float8`, `count(c.first_resolved_at)`},
	"time_to_resolve_p90_seconds": {
		`percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_resolved_at - c.created_at))`, `count(c.first_resolved_at)`},
	"csat_average": {`avg((c.survey->>'score')::int) FILTER (WHERE c.` + answeredSurvey + `)::float8`,
		`count(*) FILTER (WHERE c.` + answeredSurvey + `)`},
	"csat_response_rate_pct": {
		`round(100.0 * count(*) FILTER (WHERE c.` + answeredSurvey + `) /
			nullif(count(*) FILTER (WHERE c.survey->>'status' IN ('sent', 'reminded', 'answered', 'expired')), 0), 1)::float8`,
		`count(*) FILTER (WHERE c.survey->>'status' IN ('sent', 'reminded', 'answered', 'expired'))`},
	"reopen_rate_pct": {`round(100.0 * count(*) FILTER (WHERE c.reopened) / nullif(count(c.first_resolved_at), 0), 1)::float8`,
		`count(c.first_resolved_at)`},
	"winback_rate_pct": {
		`round(100.0 * count(*) FILTER (WHERE c.winback->>'outcome' = 'won_back') /
			nullif(count(*) FILTER (WHERE c.winback->>'status' = 'finished'), 0), 1)::float8`,
		`count(*) FILTER (WHERE c.winback->>'status' = 'finished')`},
}

// TimeseriesDimensions are what a timeseries can be broken down by.
var TimeseriesDimensions = map[string]string{
	"category":   `c.category`,
	"channel":    `c.channel`,
	"priority":   `c.priority`,
	"tier":       `cu.tier`,
	"root_cause": `coalesce(c.resolution->>'root_cause', '')`,
	"assignee":   `c.assignee`,
}

// TimeseriesIntervals are the buckets' lengths.
var TimeseriesIntervals = []string{"day", "week", "month"}

// Timeseries is one figure over time, whole or broken down.
type Timeseries struct {
	Metric   string      `json:"metric"`
	Interval string      `json:"interval"`
	By       string      `json:"by,omitempty"`
	Zone     string      `json:"time_zone"`
	Series   []Series    `json:"series"`
	Buckets  []time.Time `json:"buckets"`
}

// Series is the figure for one value of the breakdown ("" without one), a
// point per bucket.
type Series struct {
	Key    string  `json:"key"`
	Points []Point `json:"points"`
}

// Point is a bucket's figure and how many complaints it measured.
type Point struct {
	Start    time.Time `json:"start"`
	Value    *float64  `json:"value"`
	Measured int       `json:"measured"`
}

// Timeseries follows metric over the complaints filed from from (inclusive)
// to to, in buckets of interval that begin at midnight in zone (weeks on
// Monday), optionally per value of the dimension by. metric, interval and
// by must be among the names above; the API checks them.
func (db *DB) Timeseries(ctx context.Context, metric, interval, by string, from, to time.Time, zone *time.Location) (*Timeseries, error) {
	m, ok := TimeseriesMetrics[metric]
	if !ok {
		return nil, fmt.Errorf("timeseries: unknown metric %q", metric)
	}
	key := `''`
	if by != "" {
		if key, ok = TimeseriesDimensions[by]; !ok {
			return nil, fmt.Errorf("timeseries: unknown dimension %q", by)
		}
	}
	ts := &Timeseries{Metric: metric, Interval: interval, By: by, Zone: zone.String(), Series: []Series{}}
	for b := bucketStart(from, interval, zone); b.Before(to); b = nextBucket(b, interval) {
		ts.Buckets = append(ts.Buckets, b)
	}
	rows, err := db.pool.Query(ctx, `SELECT date_trunc($3, c.created_at AT TIME ZONE $4)::date, `+key+`, `+m.value+`, `+m.measured+`
		FROM complaints c JOIN customers cu ON cu.id = c.customer_id
		WHERE c.created_at >= $1 AND c.created_at < $2 GROUP BY 1, 2 ORDER BY 2, 1`, from, to, interval, zone.String())
	if err != nil {
		return nil, wrap(err)
	}
	at := map[string]int{}
	for i, b := range ts.Buckets {
		at[dateKey(b)] = i
	}
	series := map[string]int{}
	// addSeries starts a breakdown's series with a point in every bucket:
	// no complaint counts zero, any other figure is not measured.
	addSeries := func(name string) []Point {
		points := make([]Point, len(ts.Buckets))
		for i, b := range ts.Buckets {
			points[i].Start = b
			if metric == "volume" {
				zero := 0.0
				points[i].Value = &zero
			}
		}
		series[name] = len(ts.Series)
		ts.Series = append(ts.Series, Series{Key: name, Points: points})
		return points
	}
	if by == "" {
		addSeries("")
	}
	var bucket time.Time
	var value *float64
	var name string
	var measured int
	if _, err := pgx.ForEachRow(rows, []any{&bucket, &name, &value, &measured}, func() error {
		i, ok := at[bucket.Format(time.DateOnly)]
		if !ok {
			return nil
		}
		var points []Point
		if n, ok := series[name]; ok {
			points = ts.Series[n].Points
		} else {
			points = addSeries(name)
		}
		points[i].Value, points[i].Measured = nil, measured
		if value != nil {
			rounded := math.Round(*value*100) / 100 // a copy: the scan reuses value
			points[i].Value = &rounded
		}
		return nil
	}); err != nil {
		return nil, wrap(err)
	}
	return ts, nil
}

// bucketStart is the first instant of the bucket holding t.
func bucketStart(t time.Time, interval string, zone *time.Location) time.Time {
	switch interval {
	case "week":
		return startOfWeek(t, zone)
	case "month":
		day := t.In(zone)
		return daysLater(day, 1-day.Day())
	}
	return startOfDay(t, zone)
}

// nextBucket is the first instant of the bucket after the one starting at b.
func nextBucket(b time.Time, interval string) time.Time {
	switch interval {
	case "week":
		return daysLater(b, 7)
	case "month":
		return time.Date(b.Year(), b.Month()+1, 1, 0, 0, 0, 0, b.Location())
	}
	return daysLater(b, 1)
}
