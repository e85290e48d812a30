package postgres_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"pgregory.net/rapid"

	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// The analytics read from the rollups agree with a from-scratch computation
// over the raw rows, on random complaints (a fixed seed; rapid shrinks a
// failure) written straight into the tables, rebuilt, then changed
// through the trigger: counts, rates and means exactly, percentiles within
// the sketch's 1%. The days cross clock changes in their zones, breaches
// coincide, complaints are reopened, surveys answered and expired, and
// windows start and end mid-day as well as at midnight.
func TestRollupsAgreeWithTheRawRows(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	db := redresstest.OpenDB(t, url)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	rapid.Check(t, func(t *rapid.T) {
		if _, err := conn.Exec(ctx, `TRUNCATE complaints, customers, analytics_bases CASCADE`); err != nil {
			t.Fatal(err)
		}
		zone, _ := time.LoadLocation(rapid.SampledFrom(modelZones).Draw(t, "zone"))
		basis := postgres.Basis{Zone: zone, RepeatWithin: rapid.SampledFrom([]time.Duration{time.Hour, 24 * time.Hour, 720 * time.Hour}).Draw(t, "repeat")}
		// A week either side of a clock change somewhere.
		start := rapid.SampledFrom(modelStarts).Draw(t, "start")
		writeModelComplaints(t, ctx, conn, start)
		if rapid.Bool().Draw(t, "imported") {
			// A bulk import leaves repeat facts stale: the rebuild refreshes them.
			if _, err := conn.Exec(ctx, `UPDATE complaints SET previous_customer_at = NULL, previous_order_at = created_at
				WHERE get_byte(tracking_token_hash, 0) % 2 = 0`); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.RebuildAnalytics(ctx, basis, true, nil); err != nil {
			t.Fatal(err)
		}
		changeModelComplaints(t, ctx, conn)

		// What the trigger kept is what a rebuild computes.
		kept := rollupRows(t, ctx, conn)
		if err := db.RebuildAnalytics(ctx, basis, true, nil); err != nil {
			t.Fatal(err)
		}
		if rebuilt := rollupRows(t, ctx, conn); !slices.Equal(kept, rebuilt) {
			t.Fatalf("the trigger kept\n%s\nthe rebuild computes\n%s", strings.Join(kept, "\n"), strings.Join(rebuilt, "\n"))
		}

		from := start.Add(time.Duration(rapid.Int64Range(-2*24*3600, 14*24*3600).Draw(t, "from")) * time.Second)
		if rapid.Bool().Draw(t, "from midnight") {
			y, m, d := from.In(zone).Date()
			from = time.Date(y, m, d, 0, 0, 0, 0, zone)
		}
		to := from.Add(time.Duration(rapid.Int64Range(0, 16*24*3600).Draw(t, "length")) * time.Second)
		if rapid.Bool().Draw(t, "to midnight") {
			y, m, d := to.In(zone).Date()
			to = time.Date(y, m, d, 0, 0, 0, 0, zone)
		}
		compareSummary(t, ctx, db, conn, basis, from, to)
		compareTimeseries(t, ctx, db, conn, basis, from, to)
		compareAgents(t, ctx, db, conn, basis, from, to)
	})
}

var (
	modelZones  = []string{"UTC", "Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"}
	modelStarts = []time.Time{
		time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),   // New York springs forward on the 8th
		time.Date(2026, 3, 24, 0, 0, 0, 0, time.UTC),  // London on the 29th
		time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),  // Lord Howe falls back half an hour on 5 April
		time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), // London falls back on the 25th
		time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC), // New York on 1 November
	}
)

// writeModelComplaints writes a few dozen random complaints of a few
// customers, filed over ten days from start, with random outcomes.
func writeModelComplaints(t *rapid.T, ctx context.Context, conn *pgx.Conn, start time.Time) {
	customers := make([]uuid.UUID, rapid.IntRange(1, 5).Draw(t, "customers"))
	for i := range customers {
		customers[i] = uuid.New()
		if _, err := conn.Exec(ctx, `INSERT INTO customers (id, name, tier) VALUES ($1, 'c', $2)`,
			customers[i], rapid.SampledFrom([]string{"standard", "silver", "gold", "diamond"}).Draw(t, "tier")); err != nil {
			t.Fatal(err)
		}
	}
	n := rapid.IntRange(0, 40).Draw(t, "complaints")
	for i := range n {
		created := start.Add(time.Duration(rapid.Int64Range(0, 10*24*3600*1e6).Draw(t, "created")) * time.Microsecond)
		if _, err := conn.Exec(ctx, `INSERT INTO complaints (id, customer_id, status, priority, category, severity,
				channel, subject, description, order_ref, assignee, created_at, tracking_token_hash)
			VALUES ($1, $2, $3, $4, $5, 'low', $6, 's', 'd', $7, $8, $9, $10)`,
			uuid.New(), rapid.SampledFrom(customers).Draw(t, "customer"),
			rapid.SampledFrom([]string{"received", "acknowledged", "in_progress", "resolved", "closed"}).Draw(t, "status"),
			rapid.SampledFrom([]string{"P1", "P2", "P3", "P4"}).Draw(t, "priority"),
			rapid.SampledFrom([]string{"delivery", "billing", "safety"}).Draw(t, "category"),
			rapid.SampledFrom([]string{"web", "email", "phone"}).Draw(t, "channel"),
			rapid.SampledFrom([]string{"", "", "ORD-1", "ORD-2"}).Draw(t, "order"),
			rapid.SampledFrom([]string{"", "ana", "bo"}).Draw(t, "assignee"),
			created, []byte(fmt.Sprint(i, created))); err != nil {
			t.Fatal(err)
		}
	}
	changeModelComplaints(t, ctx, conn) // give them outcomes
}

// changeModelComplaints changes random complaints' outcomes as their
// workflows would, and sometimes their status, assignee or root cause.
func changeModelComplaints(t *rapid.T, ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT id FROM complaints ORDER BY created_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		return
	}
	for range rapid.IntRange(0, 2*len(ids)).Draw(t, "changes") {
		id := rapid.SampledFrom(ids).Draw(t, "changed")
		// Durations to the microsecond, from none to four days; a breach
		// of both deadlines at once is as likely as any.
		ack := rapid.Int64Range(-1, 4*24*3600*1e6).Draw(t, "ack after")
		resolve := rapid.Int64Range(-1, 4*24*3600*1e6).Draw(t, "resolve after")
		survey := rapid.SampledFrom([]string{`{}`, `{"status": "pending"}`, `{"status": "sent"}`, `{"status": "reminded"}`,
			`{"status": "answered", "score": 1}`, `{"status": "answered", "score": 5}`, `{"status": "answered", "score": 3}`,
			`{"status": "expired"}`}).Draw(t, "survey")
		winback := rapid.SampledFrom([]string{`{}`, `{"status": "running"}`, `{"status": "finished", "outcome": "won_back"}`,
			`{"status": "finished", "outcome": "lost"}`}).Draw(t, "winback")
		cause := rapid.SampledFrom([]string{"", "logistics", "product_defect", "billing_error"}).Draw(t, "root cause")
		if _, err := conn.Exec(ctx, `UPDATE complaints SET
				acknowledged_at = CASE WHEN $2::bigint >= 0 THEN created_at + $2::bigint * interval '1 microsecond' END,
				first_resolved_at = CASE WHEN $3::bigint >= 0 THEN created_at + $3::bigint * interval '1 microsecond' END,
				ack_breached = $4, resolve_breached = $5, reopened = $6, survey = $7, winback = $8,
				resolution = CASE WHEN $9 <> '' THEN jsonb_build_object('root_cause', $9::text) END,
				status = coalesce(nullif($10, ''), status), assignee = coalesce(nullif($11, '-'), assignee)
			WHERE id = $1`, id, ack, resolve, rapid.Bool().Draw(t, "ack breached"), rapid.Bool().Draw(t, "resolve breached"),
			rapid.Bool().Draw(t, "reopened"), survey, winback, cause,
			rapid.SampledFrom([]string{"", "", "waiting_on_customer", "reopened", "closed"}).Draw(t, "new status"),
			rapid.SampledFrom([]string{"-", "-", "", "ana", "cy"}).Draw(t, "new assignee")); err != nil {
			t.Fatal(err)
		}
	}
}

// rollupRows are the rollups as text, leaving out cells that count
// nothing and the trailing empty buckets of the sketches, which a
// trigger's subtraction may leave and a rebuild does not write.
func rollupRows(t *rapid.T, ctx context.Context, conn *pgx.Conn) []string {
	rows, err := conn.Query(ctx, `SELECT day::text, dimension, value,
			ARRAY[complaints, ack_measured, ack_met, resolve_measured, resolve_met, acknowledged, ack_micros,
				resolved, resolve_micros, surveys_sent, surveys_answered, csat_score_sum, reopened,
				winbacks_finished, won_back, repeat_customer, repeat_order]::bigint[], ack_sketch, resolve_sketch
		FROM analytics_daily ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var day, dimension, value string
	var counts, ack, resolve []int64
	_, err = pgx.ForEachRow(rows, []any{&day, &dimension, &value, &counts, &ack, &resolve}, func() error {
		trim := func(s []int64) []int64 {
			for len(s) > 0 && s[len(s)-1] == 0 {
				s = s[:len(s)-1]
			}
			return s
		}
		if len(trim(counts)) > 0 || len(trim(ack)) > 0 || len(trim(resolve)) > 0 {
			out = append(out, fmt.Sprint(day, " ", dimension, "=", value, " ", counts, trim(ack), trim(resolve)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exactFigures is what the reference computes for a group of complaints,
// straight from their rows, with PostgreSQL's exact percentiles.
type exactFigures struct {
	bucket, key                                 string
	total, ackMeasured, ackMet, resolveMeasured int64
	resolveMet, acknowledged, resolved          int64
	ackMean, ackP90, ackP50, resolveMean        *float64
	resolveP90, resolveP50, csat                *float64
	answered, sent, reopened, wonBack, finished int64
	repeatCustomer, repeatOrder                 int64
}

// exactQuery groups the complaints filed in [$1, $2) by $3-long buckets in
// zone $4 and the expression KEY; a complaint repeats when the same
// customer (order) complained within $5 before it.
const exactQuery = `SELECT coalesce(date_trunc($3, c.created_at AT TIME ZONE $4)::date::text, ''), KEY, count(*),
	count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL OR c.ack_breached),
	count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL AND NOT c.ack_breached),
	count(*) FILTER (WHERE c.first_resolved_at IS NOT NULL OR c.resolve_breached),
	count(*) FILTER (WHERE c.first_resolved_at IS NOT NULL AND NOT c.resolve_breached),
	count(c.acknowledged_at), count(c.first_resolved_at),
	avg(extract(epoch FROM c.acknowledged_at - c.created_at))::float8,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.created_at)),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.created_at)),
	avg(extract(epoch FROM c.first_resolved_at - c.created_at))::float8,
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_resolved_at - c.created_at)),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_resolved_at - c.created_at)),
	avg((c.survey->>'score')::int) FILTER (WHERE c.survey->>'status' = 'answered')::float8,
	count(*) FILTER (WHERE c.survey->>'status' = 'answered'),
	count(*) FILTER (WHERE c.survey->>'status' IN ('sent', 'reminded', 'answered', 'expired')),
	count(*) FILTER (WHERE c.reopened),
	count(*) FILTER (WHERE c.winback->>'outcome' = 'won_back'),
	count(*) FILTER (WHERE c.winback->>'status' = 'finished'),
	count(*) FILTER (WHERE EXISTS (SELECT FROM complaints p WHERE p.customer_id = c.customer_id
		AND (p.created_at, p.id) < (c.created_at, c.id) AND p.created_at >= c.created_at - $5::interval)),
	count(*) FILTER (WHERE c.order_ref <> '' AND EXISTS (SELECT FROM complaints p WHERE p.order_ref = c.order_ref
		AND (p.created_at, p.id) < (c.created_at, c.id) AND p.created_at >= c.created_at - $5::interval))
FROM complaints c WHERE c.created_at >= $1 AND c.created_at < $2 GROUP BY 1, 2 ORDER BY 1, 2`

// exact computes the reference figures; interval "" puts the whole window
// in one bucket.
func exact(t *rapid.T, ctx context.Context, conn *pgx.Conn, basis postgres.Basis, from, to time.Time, interval, key string) []exactFigures {
	var bucket any = interval
	if interval == "" {
		bucket = nil
	}
	rows, err := conn.Query(ctx, strings.Replace(exactQuery, "KEY", key, 1), from, to, bucket, basis.Zone.String(), basis.RepeatWithin)
	if err != nil {
		t.Fatal(err)
	}
	var out []exactFigures
	var f exactFigures
	_, err = pgx.ForEachRow(rows, []any{&f.bucket, &f.key, &f.total, &f.ackMeasured, &f.ackMet, &f.resolveMeasured, &f.resolveMet,
		&f.acknowledged, &f.resolved, &f.ackMean, &f.ackP90, &f.ackP50, &f.resolveMean, &f.resolveP90, &f.resolveP50,
		&f.csat, &f.answered, &f.sent, &f.reopened, &f.wonBack, &f.finished, &f.repeatCustomer, &f.repeatOrder}, func() error {
		out = append(out, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func exactPercent(part, whole int64) *float64 {
	if whole == 0 {
		return nil
	}
	v := math.Round(float64(part)*1000/float64(whole)) / 10
	return &v
}

func exactRounded(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := math.Round(*v*100) / 100
	return &r
}

// agree tells whether got is want or, when sketched, within the sketch's
// bound: 1% of it, plus a second, as a duration under a second counts as
// zero (and the rounding to hundredths).
func agree(got, want *float64, sketched bool) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	if !sketched {
		return *got == *want
	}
	return math.Abs(*got-*want) <= 0.01*math.Abs(*want)+1.01
}

func show(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

func compareSummary(t *rapid.T, ctx context.Context, db *postgres.DB, conn *pgx.Conn, basis postgres.Basis, from, to time.Time) {
	s, err := db.Summary(ctx, basis, from, to)
	if err != nil {
		t.Fatal(err)
	}
	whole := exact(t, ctx, conn, basis, from, to, "", "''")
	want := exactFigures{}
	if len(whole) == 1 {
		want = whole[0]
	}
	for _, c := range []struct {
		name      string
		got, want *float64
		sketched  bool
	}{
		{"total", ptr(float64(s.Total)), ptr(float64(want.total)), false},
		{"ack compliance", s.AckSLACompliance, exactPercent(want.ackMet, want.ackMeasured), false},
		{"resolve compliance", s.ResolveSLACompliance, exactPercent(want.resolveMet, want.resolveMeasured), false},
		{"acknowledged", ptr(float64(s.TimeToAcknowledge.Count)), ptr(float64(want.acknowledged)), false},
		{"ack mean", s.TimeToAcknowledge.MeanSeconds, exactRounded(want.ackMean), false},
		{"ack p90", s.TimeToAcknowledge.P90Seconds, exactRounded(want.ackP90), true},
		{"resolved", ptr(float64(s.TimeToResolve.Count)), ptr(float64(want.resolved)), false},
		{"resolve mean", s.TimeToResolve.MeanSeconds, exactRounded(want.resolveMean), false},
		{"resolve p90", s.TimeToResolve.P90Seconds, exactRounded(want.resolveP90), true},
		{"csat", s.CSAT.Average, exactRounded(want.csat), false},
		{"answered", ptr(float64(s.CSAT.Answered)), ptr(float64(want.answered)), false},
		{"response rate", s.CSAT.ResponseRate, exactPercent(want.answered, want.sent), false},
		{"reopen rate", s.ReopenRate, exactPercent(want.reopened, want.resolved), false},
		{"win-back rate", s.WinbackRate, exactPercent(want.wonBack, want.finished), false},
	} {
		if !agree(c.got, c.want, c.sketched) {
			t.Fatalf("summary %s..%s: %s = %s, the raw rows say %s", from, to, c.name, show(c.got), show(c.want))
		}
	}
	for dimension, got := range map[string]map[string]int{"c.status": s.ByStatus, "c.category": s.ByCategory,
		"c.priority": s.ByPriority, "c.channel": s.ByChannel} {
		want := map[string]int{}
		for _, f := range exact(t, ctx, conn, basis, from, to, "", dimension) {
			want[f.key] = int(f.total)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("summary by %s = %v, the raw rows say %v", dimension, got, want)
		}
	}
	var causes []postgres.RootCauseCount
	for _, f := range exact(t, ctx, conn, basis, from, to, "", "coalesce(c.resolution->>'root_cause', '')") {
		if f.key != "" {
			causes = append(causes, postgres.RootCauseCount{RootCause: f.key, Count: int(f.total)})
		}
	}
	slices.SortStableFunc(causes, func(a, b postgres.RootCauseCount) int { return b.Count - a.Count })
	if len(causes) > 5 {
		causes = causes[:5]
	}
	if fmt.Sprint(s.TopRootCauses) != fmt.Sprint(causes) && !(len(causes) == 0 && len(s.TopRootCauses) == 0) {
		t.Fatalf("top root causes = %v, the raw rows say %v", s.TopRootCauses, causes)
	}
}

// modelKeys are the reference's expressions of the breakdowns.
var modelKeys = map[string]string{"": "''", "category": "c.category", "channel": "c.channel", "priority": "c.priority",
	"tier": "c.customer_tier", "root_cause": "coalesce(c.resolution->>'root_cause', '')", "assignee": "c.assignee"}

// modelMetrics are the timeseries' metrics on the reference's figures.
var modelMetrics = map[string]func(f exactFigures) (value *float64, measured int64, sketched bool){
	"volume": func(f exactFigures) (*float64, int64, bool) { return ptr(float64(f.total)), f.total, false },
	"ack_sla_compliance_pct": func(f exactFigures) (*float64, int64, bool) {
		return exactPercent(f.ackMet, f.ackMeasured), f.ackMeasured, false
	},
	"resolve_sla_compliance_pct": func(f exactFigures) (*float64, int64, bool) {
		return exactPercent(f.resolveMet, f.resolveMeasured), f.resolveMeasured, false
	},
	"time_to_acknowledge_mean_seconds": func(f exactFigures) (*float64, int64, bool) { return exactRounded(f.ackMean), f.acknowledged, false },
	"time_to_acknowledge_p90_seconds":  func(f exactFigures) (*float64, int64, bool) { return exactRounded(f.ackP90), f.acknowledged, true },
	"time_to_resolve_mean_seconds":     func(f exactFigures) (*float64, int64, bool) { return exactRounded(f.resolveMean), f.resolved, false },
	"time_to_resolve_p90_seconds":      func(f exactFigures) (*float64, int64, bool) { return exactRounded(f.resolveP90), f.resolved, true },
	"csat_average":                     func(f exactFigures) (*float64, int64, bool) { return exactRounded(f.csat), f.answered, false },
	"csat_response_rate_pct":           func(f exactFigures) (*float64, int64, bool) { return exactPercent(f.answered, f.sent), f.sent, false },
	"reopen_rate_pct": func(f exactFigures) (*float64, int64, bool) {
		return exactPercent(f.reopened, f.resolved), f.resolved, false
	},
	"winback_rate_pct": func(f exactFigures) (*float64, int64, bool) {
		return exactPercent(f.wonBack, f.finished), f.finished, false
	},
	"repeat_customer_rate_pct": func(f exactFigures) (*float64, int64, bool) {
		return exactPercent(f.repeatCustomer, f.total), f.total, false
	},
	"repeat_order_rate_pct": func(f exactFigures) (*float64, int64, bool) {
		return exactPercent(f.repeatOrder, f.total), f.total, false
	},
}

func compareTimeseries(t *rapid.T, ctx context.Context, db *postgres.DB, conn *pgx.Conn, basis postgres.Basis, from, to time.Time) {
	metric := rapid.SampledFrom(sortedKeys(modelMetrics)).Draw(t, "metric")
	interval := rapid.SampledFrom(postgres.TimeseriesIntervals).Draw(t, "interval")
	by := rapid.SampledFrom(sortedKeys(modelKeys)).Draw(t, "by")
	ts, err := db.Timeseries(ctx, basis, metric, interval, by, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]exactFigures{}
	keys := map[string]bool{}
	for _, f := range exact(t, ctx, conn, basis, from, to, interval, modelKeys[by]) {
		want[f.key+"@"+f.bucket] = f
		keys[f.key] = true
	}
	if by == "" {
		keys[""] = true
	}
	var gotKeys []string
	for _, s := range ts.Series {
		gotKeys = append(gotKeys, s.Key)
		for _, p := range s.Points {
			f, filed := want[s.Key+"@"+p.Start.In(basis.Zone).Format(time.DateOnly)]
			value, measured, sketched := modelMetrics[metric](f)
			if !filed && metric != "volume" {
				value = nil
			}
			if !agree(p.Value, value, sketched) || int64(p.Measured) != measured {
				t.Fatalf("%s by %q per %s, %q at %s: %s of %d, the raw rows say %s of %d",
					metric, by, interval, s.Key, p.Start, show(p.Value), p.Measured, show(value), measured)
			}
		}
	}
	if fmt.Sprint(gotKeys) != fmt.Sprint(sortedKeys(keys)) && !(len(gotKeys) == 0 && len(keys) == 0) {
		t.Fatalf("%s by %q: series %v, the raw rows have %v", metric, by, gotKeys, sortedKeys(keys))
	}
}

func compareAgents(t *rapid.T, ctx context.Context, db *postgres.DB, conn *pgx.Conn, basis postgres.Basis, from, to time.Time) {
	agents, err := db.AgentPerformance(ctx, basis, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var want []exactFigures
	for _, f := range exact(t, ctx, conn, basis, from, to, "", "c.assignee") {
		if f.key != "" {
			want = append(want, f)
		}
	}
	if len(agents) != len(want) {
		t.Fatalf("agents = %+v, the raw rows have %d", agents, len(want))
	}
	for i, a := range agents {
		f := want[i]
		if a.Assignee != f.key || int64(a.Handled) != f.total ||
			!agree(a.TimeToAcknowledge.MedianSeconds, exactRounded(f.ackP50), true) ||
			!agree(a.TimeToResolve.MedianSeconds, exactRounded(f.resolveP50), true) ||
			!agree(a.AckSLACompliance, exactPercent(f.ackMet, f.ackMeasured), false) ||
			!agree(a.ResolveSLACompliance, exactPercent(f.resolveMet, f.resolveMeasured), false) ||
			!agree(a.CSATAverage, exactRounded(f.csat), false) || int64(a.CSATAnswered) != f.answered ||
			!agree(a.ReopenRate, exactPercent(f.reopened, f.resolved), false) {
			t.Fatalf("agent %+v, the raw rows say %+v", a, f)
		}
	}
}

func ptr(v float64) *float64 { return &v }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
