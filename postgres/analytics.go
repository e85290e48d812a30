package postgres

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"time"
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

// DurationStats are wall-clock durations in seconds. The mean is exact;
// the p90 comes from a sketch and is within 1% of the exact one.
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

// summaryDimensions are the breakdowns a summary counts by.
var summaryDimensions = []string{"", "status", "category", "priority", "channel", "root_cause"}

// Summary measures the complaints filed from from (inclusive) to to. The
// SLA is met when a complaint was acknowledged (resolved) without an
// acknowledgement (resolution) breach; complaints still within their
// window count neither way. Time to resolve runs to the first resolution.
func (db *DB) Summary(ctx context.Context, basis Basis, from, to time.Time) (*Summary, error) {
	cells, err := db.cells(ctx, basis, from, to, summaryDimensions, []string{""})
	if err != nil {
		return nil, err
	}
	s := &Summary{From: from, To: to, ByStatus: map[string]int{}, ByCategory: map[string]int{},
		ByPriority: map[string]int{}, ByChannel: map[string]int{}}
	groups := map[string]map[string]int{"status": s.ByStatus, "category": s.ByCategory,
		"priority": s.ByPriority, "channel": s.ByChannel}
	var whole tally
	rootCauses := map[string]int{}
	for i := range cells {
		c := &cells[i]
		switch c.dimension {
		case "":
			whole.add(c)
		case "root_cause":
			if c.value != "" {
				rootCauses[c.value] += int(c.complaints)
			}
		default:
			groups[c.dimension][c.value] += int(c.complaints)
		}
	}
	for _, g := range groups {
		maps.DeleteFunc(g, func(_ string, n int) bool { return n == 0 })
	}
	n := &whole.counts
	s.Total = int(n.complaints)
	s.AckSLACompliance = percent(n.ackMet, n.ackMeasured)
	s.ResolveSLACompliance = percent(n.resolveMet, n.resolveMeasured)
	s.TimeToAcknowledge = DurationStats{Count: int(n.acknowledged), MeanSeconds: rounded(meanSeconds(&whole.ackMicros, n.acknowledged)),
		P90Seconds: rounded(whole.ackSketch.quantile(0.9))}
	s.TimeToResolve = DurationStats{Count: int(n.resolved), MeanSeconds: rounded(meanSeconds(&whole.resolveMicros, n.resolved)),
		P90Seconds: rounded(whole.resolveSketch.quantile(0.9))}
	s.CSAT = CSAT{Average: rounded(ratio(n.csatScoreSum, n.surveysAnswered)), Answered: int(n.surveysAnswered),
		Sent: int(n.surveysSent), ResponseRate: percent(n.surveysAnswered, n.surveysSent)}
	s.ReopenRate = percent(n.reopened, n.resolved)
	s.WinbackRate = percent(n.wonBack, n.winbacksFinished)
	s.TopRootCauses = ranked(rootCauses, 5)
	return s, nil
}

// ranked is the root causes, the most frequent first (then by name), at
// most limit of them; limit 0 keeps them all.
func ranked(counts map[string]int, limit int) []RootCauseCount {
	list := []RootCauseCount{}
	for cause, n := range counts {
		if n > 0 {
			list = append(list, RootCauseCount{cause, n})
		}
	}
	slices.SortFunc(list, func(a, b RootCauseCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.RootCause, b.RootCause))
	})
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	return list
}

// percent is part of whole as a percentage to one decimal; nil when whole
// is 0.
func percent[N int | int64](part, whole N) *float64 {
	if whole == 0 {
		return nil
	}
	p := math.Round(float64(part)*1000/float64(whole)) / 10
	return &p
}

func ratio(sum, n int64) *float64 {
	if n == 0 {
		return nil
	}
	v := float64(sum) / float64(n)
	return &v
}

// rounded rounds a figure to two decimals.
func rounded(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := math.Round(*v*100) / 100
	return &r
}
