package postgres

import (
	"context"
	"maps"
	"slices"
	"time"
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

// AgentPerformance measures, per assignee, the complaints filed from from
// (inclusive) to to, on the summary's definitions. A complaint counts for
// whoever holds it now: a reassigned complaint moves with its figures.
// Medians come from the duration sketches, within 1% of the exact ones.
func (db *DB) AgentPerformance(ctx context.Context, basis Basis, from, to time.Time) ([]AgentFigures, error) {
	cells, err := db.cells(ctx, basis, from, to, []string{"assignee"}, []string{"assignee"})
	if err != nil {
		return nil, err
	}
	tallies := map[string]*tally{}
	for i := range cells {
		c := &cells[i]
		if c.value == "" {
			continue
		}
		if tallies[c.value] == nil {
			tallies[c.value] = &tally{}
		}
		tallies[c.value].add(c)
	}
	agents := []AgentFigures{}
	for _, name := range slices.Sorted(maps.Keys(tallies)) {
		t := tallies[name]
		if t.complaints == 0 {
			continue
		}
		agents = append(agents, AgentFigures{
			Assignee:             name,
			Handled:              int(t.complaints),
			TimeToAcknowledge:    MedianStats{int(t.acknowledged), rounded(t.ackSketch.quantile(0.5))},
			TimeToResolve:        MedianStats{int(t.resolved), rounded(t.resolveSketch.quantile(0.5))},
			AckSLACompliance:     percent(t.ackMet, t.ackMeasured),
			ResolveSLACompliance: percent(t.resolveMet, t.resolveMeasured),
			CSATAverage:          rounded(ratio(t.csatScoreSum, t.surveysAnswered)),
			CSATAnswered:         int(t.surveysAnswered),
			ReopenRate:           percent(t.reopened, t.resolved),
		})
	}
	return agents, nil
}
