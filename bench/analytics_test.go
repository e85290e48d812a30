package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/api"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/postgres"
)

// BenchmarkAnalytics seeds 10^4, 10^5 and 10^6 complaints with their
// outcomes, times the rebuild of the analytics rollups, then times what a
// dashboard and an integrator ask of the API, through its HTTP handler: the
// summary for 30 and 400 days, timeseries over 400 days, the agents'
// figures, the prevention view, and the complaint list under every filter
// the SPEC allows, alone and two at once. Run with `make bench-analytics`.
func BenchmarkAnalytics(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("complaints=%d", n), func(b *testing.B) {
			ctx := context.Background()
			db, conn := seededDatabase(b, n)
			seedOutcomes(b, conn)
			policy := redress.DefaultPolicy()
			start := time.Now()
			if err := db.RebuildAnalytics(ctx, postgres.BasisOf(policy), true, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(start).Seconds(), "rebuild-s")
			handler := api.New(api.Options{DB: db, Policy: policy, Keys: config.DevKeys(), TokenSecret: "bench",
				PublicURL: "http://localhost:8080", Logger: slog.New(slog.DiscardHandler)}).Handler()
			get := func(path string) func() error {
				return func() error {
					req := httptest.NewRequest(http.MethodGet, path, nil)
					req.Header.Set("Authorization", "Bearer dev-supervisor")
					rec := httptest.NewRecorder()
					handler.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						return fmt.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
					}
					return nil
				}
			}

			now := time.Now().UTC()
			window := func(days int) string {
				return "from=" + now.Add(-time.Duration(days)*24*time.Hour).Format(time.RFC3339) + "&to=" + now.Format(time.RFC3339)
			}
			for _, days := range []int{30, 400} {
				timeCalls(b, fmt.Sprintf("summary-%dd", days), 20, get("/v1/analytics/summary?"+window(days)))
			}
			for _, ts := range []struct{ name, query string }{
				{"timeseries-volume-day-by-category-400d", "metric=volume&interval=day&by=category"},
				{"timeseries-resolve-p90-week-400d", "metric=time_to_resolve_p90_seconds&interval=week"},
				{"timeseries-csat-month-by-assignee-400d", "metric=csat_average&interval=month&by=assignee"},
			} {
				timeCalls(b, ts.name, 20, get("/v1/analytics/timeseries?"+ts.query+"&"+window(400)))
			}
			timeCalls(b, "agents-30d", 20, get("/v1/analytics/agents?"+window(30)))
			timeCalls(b, "prevention-week-400d", 20, get("/v1/analytics/prevention?interval=week&"+window(400)))
			var customer string
			if err := conn.QueryRow(ctx, `SELECT customer_id FROM complaints GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&customer); err != nil {
				b.Fatal(err)
			}
			for _, f := range listFilters(customer) {
				timeCalls(b, "list-"+f.name, 200, get("/v1/complaints?"+f.query.Encode()))
			}
		})
	}
}

type namedFilter struct {
	name  string
	query url.Values
}

// listFilters are each filter of the list endpoint with a typical value,
// then every pair of them.
func listFilters(customer string) []namedFilter {
	single := []struct{ name, value string }{
		{"status", "in_progress"}, {"priority", "P1"}, {"category", "safety"},
		{"customer_id", customer}, {"escalated", "true"}, {"breached", "true"},
	}
	out := []namedFilter{{"none", url.Values{}}}
	for i, a := range single {
		out = append(out, namedFilter{a.name, url.Values{a.name: {a.value}}})
		for _, c := range single[i+1:] {
			out = append(out, namedFilter{a.name + "+" + c.name, url.Values{a.name: {a.value}, c.name: {c.value}}})
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

// BenchmarkAnalyticsRebuildStale times `redress analytics rebuild` over a
// million complaints loaded without their repeat facts, as an import or a
// partial restore leaves them: first the facts are refreshed (quietly, in
// batches), then the rollups. Run with `make bench-analytics`.
func BenchmarkAnalyticsRebuildStale(b *testing.B) {
	ctx := context.Background()
	db, conn := seededDatabase(b, 1_000_000)
	seedOutcomes(b, conn)
	for _, sql := range []string{`SET session_replication_role = replica`,
		`UPDATE complaints SET previous_customer_at = NULL, previous_order_at = NULL`,
		`RESET session_replication_role`, `VACUUM ANALYZE complaints`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	var facts time.Duration
	err := db.RebuildAnalytics(ctx, postgres.BasisOf(redress.DefaultPolicy()), true, func(p postgres.RebuildProgress) {
		if p.Days == 0 {
			facts = p.Elapsed
		} else if p.DaysDone == p.Days {
			b.Logf("%s", p)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(facts.Seconds(), "facts-s")
	b.ReportMetric(time.Since(start).Seconds(), "rebuild-s")
}
