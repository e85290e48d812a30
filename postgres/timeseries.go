package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// timeseriesMetric is a figure of a tally on the summary's definitions:
// its value (nil when nothing was measured) and how many complaints it
// measured; sketched when it reads the duration sketches.
type timeseriesMetric struct {
	value    func(t *tally) *float64
	measured func(t *tally) int64
	sketched bool
}

// TimeseriesMetrics are the figures a timeseries can follow.
var TimeseriesMetrics = map[string]timeseriesMetric{
	"volume": {func(t *tally) *float64 { v := float64(t.complaints); return &v },
		func(t *tally) int64 { return t.complaints }, false},
	"ack_sla_compliance_pct": {func(t *tally) *float64 { return percent(t.ackMet, t.ackMeasured) },
		func(t *tally) int64 { return t.ackMeasured }, false},
	"resolve_sla_compliance_pct": {func(t *tally) *float64 { return percent(t.resolveMet, t.resolveMeasured) },
		func(t *tally) int64 { return t.resolveMeasured }, false},
	"time_to_acknowledge_mean_seconds": {func(t *tally) *float64 { return meanSeconds(&t.ackMicros, t.acknowledged) },
		func(t *tally) int64 { return t.acknowledged }, false},
	"time_to_acknowledge_p90_seconds": {func(t *tally) *float64 { return t.ackSketch.quantile(0.9) },
		func(t *tally) int64 { return t.acknowledged }, true},
	"time_to_resolve_mean_seconds": {func(t *tally) *float64 { return meanSeconds(&t.resolveMicros, t.resolved) },
		func(t *tally) int64 { return t.resolved }, false},
	"time_to_resolve_p90_seconds": {func(t *tally) *float64 { return t.resolveSketch.quantile(0.9) },
		func(t *tally) int64 { return t.resolved }, true},
	"csat_average": {func(t *tally) *float64 { return ratio(t.csatScoreSum, t.surveysAnswered) },
		func(t *tally) int64 { return t.surveysAnswered }, false},
	"csat_response_rate_pct": {func(t *tally) *float64 { return percent(t.surveysAnswered, t.surveysSent) },
		func(t *tally) int64 { return t.surveysSent }, false},
	"reopen_rate_pct": {func(t *tally) *float64 { return percent(t.reopened, t.resolved) },
		func(t *tally) int64 { return t.resolved }, false},
	"winback_rate_pct": {func(t *tally) *float64 { return percent(t.wonBack, t.winbacksFinished) },
		func(t *tally) int64 { return t.winbacksFinished }, false},
	"repeat_customer_rate_pct": {func(t *tally) *float64 { return percent(t.repeatCustomer, t.complaints) },
		func(t *tally) int64 { return t.complaints }, false},
	"repeat_order_rate_pct": {func(t *tally) *float64 { return percent(t.repeatOrder, t.complaints) },
		func(t *tally) int64 { return t.complaints }, false},
}

// TimeseriesDimensions are what a timeseries can be broken down by. A
// complaint counts under the tier its customer had when it was filed, and
// under root cause "" until it is resolved.
var TimeseriesDimensions = []string{"assignee", "category", "channel", "priority", "root_cause", "tier"}

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

// Timeseries follows metric over the complaints filed from from
// (inclusive) to to, in buckets of interval that begin at midnight in the
// basis's zone (weeks on Monday), optionally per value of the dimension by.
// metric, interval and by must be among the names above; the API checks
// them.
func (db *DB) Timeseries(ctx context.Context, basis Basis, metric, interval, by string, from, to time.Time) (*Timeseries, error) {
	m, ok := TimeseriesMetrics[metric]
	if !ok {
		return nil, fmt.Errorf("timeseries: unknown metric %q", metric)
	}
	if by != "" && !slices.Contains(TimeseriesDimensions, by) {
		return nil, fmt.Errorf("timeseries: unknown dimension %q", by)
	}
	zone := basis.Zone
	ts := &Timeseries{Metric: metric, Interval: interval, By: by, Zone: zone.String(), Series: []Series{}}
	at := map[string]int{}
	for b := bucketStart(from, interval, zone); b.Before(to); b = nextBucket(b, interval) {
		at[dateKey(b)] = len(ts.Buckets)
		ts.Buckets = append(ts.Buckets, b)
	}
	var sketched []string
	if m.sketched {
		sketched = []string{by}
	}
	cells, err := db.cells(ctx, basis, from, to, []string{by}, sketched)
	if err != nil {
		return nil, err
	}
	// Every series has a tally per bucket; a breakdown's series are its
	// values with a complaint in the window, in order.
	tallies := map[string][]tally{}
	if by == "" {
		tallies[""] = make([]tally, len(ts.Buckets))
	}
	for i := range cells {
		c := &cells[i]
		day := c.start(zone)
		b, ok := at[dateKey(bucketStart(day, interval, zone))]
		if !ok || c.complaints == 0 {
			continue
		}
		if tallies[c.value] == nil {
			tallies[c.value] = make([]tally, len(ts.Buckets))
		}
		tallies[c.value][b].add(c)
	}
	for _, key := range slices.Sorted(maps.Keys(tallies)) {
		points := make([]Point, len(ts.Buckets))
		for i := range points {
			t := &tallies[key][i]
			points[i] = Point{Start: ts.Buckets[i], Measured: int(m.measured(t))}
			if t.complaints > 0 || metric == "volume" {
				points[i].Value = rounded(m.value(t))
			}
		}
		ts.Series = append(ts.Series, Series{Key: key, Points: points})
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
