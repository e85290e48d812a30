package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// BenchmarkAnalytics seeds 10^4, 10^5 and 10^6 complaints with their
// outcomes and times what a dashboard and an integrator ask of the store:
// the analytics summary for 30 and 400 days, two timeseries over 400 days,
// the agents' figures for 30 days, and the complaint list under every
// filter the SPEC allows, alone and two at once. Run with
// `make bench-analytics`.
func BenchmarkAnalytics(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("complaints=%d", n), func(b *testing.B) {
			ctx := context.Background()
			db, conn := seededDatabase(b, n)
			seedOutcomes(b, conn)
			basis := postgres.BasisOf(redress.DefaultPolicy())
			start := time.Now()
			if err := db.RebuildAnalytics(ctx, basis, true, nil); err != nil {
				b.Fatal(err)
			}
			b.Logf("rebuild of the analytics rollups: %s", time.Since(start).Round(time.Millisecond))
			b.ReportMetric(time.Since(start).Seconds(), "rebuild-s")

			now := time.Now().UTC()
			for _, days := range []int{30, 400} {
				timeCalls(b, fmt.Sprintf("summary-%dd", days), 5, func() error {
					_, err := db.Summary(ctx, basis, now.Add(-time.Duration(days)*24*time.Hour), now)
					return err
				})
			}
			for _, ts := range []struct{ name, metric, interval, by string }{
				{"timeseries-volume-day-by-category-400d", "volume", "day", "category"},
				{"timeseries-resolve-p90-week-400d", "time_to_resolve_p90_seconds", "week", ""},
			} {
				timeCalls(b, ts.name, 5, func() error {
					_, err := db.Timeseries(ctx, basis, ts.metric, ts.interval, ts.by, now.Add(-400*24*time.Hour), now)
					return err
				})
			}
			timeCalls(b, "agents-30d", 5, func() error {
				_, err := db.AgentPerformance(ctx, basis, now.Add(-30*24*time.Hour), now)
				return err
			})
			var customer string
			if err := conn.QueryRow(ctx, `SELECT customer_id FROM complaints GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&customer); err != nil {
				b.Fatal(err)
			}
			for _, f := range listFilters(customer) {
				timeCalls(b, "list-"+f.name, 100, func() error {
					_, _, err := db.Complaints(ctx, f.filter)
					return err
				})
			}
		})
	}
}

type namedFilter struct {
	name   string
	filter postgres.ComplaintFilter
}

// listFilters are each filter of the list endpoint with a typical value,
// then every pair of them.
func listFilters(customer string) []namedFilter {
	yes := true
	single := []struct {
		name  string
		apply func(*postgres.ComplaintFilter)
	}{
		{"status", func(f *postgres.ComplaintFilter) { f.Status = "in_progress" }},
		{"priority", func(f *postgres.ComplaintFilter) { f.Priority = "P1" }},
		{"category", func(f *postgres.ComplaintFilter) { f.Category = "safety" }},
		{"customer", func(f *postgres.ComplaintFilter) { f.CustomerID = customer }},
		{"escalated", func(f *postgres.ComplaintFilter) { f.Escalated = &yes }},
		{"breached", func(f *postgres.ComplaintFilter) { f.Breached = &yes }},
	}
	out := []namedFilter{{"none", postgres.ComplaintFilter{Limit: 50}}}
	for i, a := range single {
		f := postgres.ComplaintFilter{Limit: 50}
		a.apply(&f)
		out = append(out, namedFilter{a.name, f})
		for _, c := range single[i+1:] {
			f := postgres.ComplaintFilter{Limit: 50}
			a.apply(&f)
			c.apply(&f)
			out = append(out, namedFilter{a.name + "+" + c.name, f})
		}
	}
	return out
}

// timeCalls runs call n times and reports its p50 and p99 in milliseconds.
func timeCalls(b *testing.B, name string, n int, call func() error) {
	latencies := make([]time.Duration, n)
	for i := range n {
		start := time.Now()
		if err := call(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		latencies[i] = time.Since(start)
	}
	slices.Sort(latencies)
	name = strings.ReplaceAll(name, "+", "-")
	b.ReportMetric(float64(latencies[n/2].Microseconds())/1000, name+"-p50-ms")
	b.ReportMetric(float64(latencies[n*99/100].Microseconds())/1000, name+"-p99-ms")
}
