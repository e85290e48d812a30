package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// Buckets follow the policy's wall clock: two complaints filed an hour
// apart on either side of Shanghai's midnight (one UTC day) fall on two
// days, and on two ISO weeks since 2 November 2026 is a Monday, but in one
// month.
func TestTimeseriesBucketsInThePolicysZone(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	cust := newCustomer(t, db, redress.TierGold)
	late := time.Date(2026, 11, 1, 23, 30, 0, 0, shanghai)
	early := time.Date(2026, 11, 2, 0, 30, 0, 0, shanghai)
	fileAt := func(at time.Time, category redress.Category, ch redress.Change) {
		f := newFiling(cust.ID, at.UTC())
		f.Complaint.Category = category
		ch.ComplaintID, ch.Seq = file(t, db, f), 2
		if err := db.ApplyChange(ctx, ch, nil); err != nil {
			t.Fatal(err)
		}
	}
	acked := late.Add(2 * time.Hour)
	fileAt(late, redress.CategoryDelivery, redress.Change{State: redress.State{Status: redress.StatusAcknowledged, Priority: redress.P2,
		Assignee: "ana", AcknowledgedAt: &acked}, Timeline: []redress.TimelineEntry{{At: acked, Kind: redress.KindAcknowledged}}})
	fileAt(early, redress.CategoryBilling, redress.Change{State: redress.State{Status: redress.StatusReceived, Priority: redress.P2, SLABreached: true},
		Timeline: []redress.TimelineEntry{{At: early.Add(24 * time.Hour), Kind: redress.KindSLABreached, Breach: redress.BreachAcknowledgement}}})

	from, to := time.Date(2026, 10, 31, 0, 0, 0, 0, shanghai), time.Date(2026, 11, 4, 0, 0, 0, 0, shanghai)
	values := func(metric, interval, by string) map[string][]float64 {
		t.Helper()
		ts, err := db.Timeseries(ctx, postgres.Basis{Zone: shanghai, RepeatWithin: utcBasis.RepeatWithin}, metric, interval, by, from, to)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]float64{}
		for _, s := range ts.Series {
			for _, p := range s.Points {
				v := -1.0 // not measured
				if p.Value != nil {
					v = *p.Value
				}
				out[s.Key] = append(out[s.Key], v)
			}
		}
		return out
	}
	same := func(what string, got, want map[string][]float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s = %v; want %v", what, got, want)
			return
		}
		for k, w := range want {
			g := got[k]
			if len(g) != len(w) {
				t.Errorf("%s[%q] = %v; want %v", what, k, g, w)
				continue
			}
			for i := range w {
				if g[i] != w[i] {
					t.Errorf("%s[%q] = %v; want %v", what, k, g, w)
					break
				}
			}
		}
	}
	// Days: 31 Oct, 1, 2 and 3 Nov; weeks begin 26 Oct and 2 Nov.
	same("volume by day", values("volume", "day", ""), map[string][]float64{"": {0, 1, 1, 0}})
	same("volume by week", values("volume", "week", ""), map[string][]float64{"": {1, 1}})
	same("volume by month", values("volume", "month", ""), map[string][]float64{"": {0, 2}})
	same("volume by day and category", values("volume", "day", "category"),
		map[string][]float64{"delivery": {0, 1, 0, 0}, "billing": {0, 0, 1, 0}})
	same("acknowledgement SLA by day", values("ack_sla_compliance_pct", "day", ""), map[string][]float64{"": {-1, 100, 0, -1}})
	same("time to acknowledge by assignee", values("time_to_acknowledge_mean_seconds", "week", "assignee"),
		map[string][]float64{"ana": {7200, -1}, "": {-1, -1}})
	same("volume by tier", values("volume", "month", "tier"), map[string][]float64{"gold": {0, 2}})
	for metric := range postgres.TimeseriesMetrics {
		for _, dimension := range postgres.TimeseriesDimensions {
			if _, err := db.Timeseries(ctx, postgres.Basis{Zone: shanghai, RepeatWithin: utcBasis.RepeatWithin}, metric, "week", dimension, from, to); err != nil {
				t.Errorf("%s by %s: %v", metric, dimension, err)
			}
		}
	}
}
