package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/deploy/grafana"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/workflows"
)

// metricsPolicy puts a complaint inside the warning share of its
// resolution two seconds after it is filed (1% of 200 s before the
// deadline's 99% share begins), warns of its acknowledgement then too (a
// clock's step, written by a local activity), and keeps every other clock
// out of the way.
const metricsPolicy = `
sla:
  P1: {ack_within: 200s, resolve_within: 200s}
  P2: {ack_within: 200s, resolve_within: 200s}
  P3: {ack_within: 200s, resolve_within: 200s}
  P4: {ack_within: 200s, resolve_within: 200s}
ack_warning_at: 0.01
`

func scrape(t *testing.T, s *redresstest.Stack) redresstest.Metrics {
	t.Helper()
	r := s.Do("GET", "/metrics", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", r.Status, r.Body)
	}
	return redresstest.ParseMetrics(t, r.Body)
}

// waitForMetric scrapes until the series is there: the SDK reports its
// counters once a second.
func waitForMetric(t *testing.T, s *redresstest.Stack, name string, timeout time.Duration) redresstest.Metrics {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := scrape(t, s)
		if m.Has(name) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not on /metrics within %s; there are %s", name, timeout, strings.Join(m.Names(), " "))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// One process's /metrics carries the API's series, the business gauges and
// the worker's Temporal SDK series, failures included: every metric the
// Grafana dashboard queries.
func TestMetricsAfterALifecycle(t *testing.T) {
	ctx := context.Background()
	limits := config.DefaultRateLimits() // the service's own, each counted from zero on /metrics
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: metricsPolicy, RateLimits: &limits})
	// An integrator's endpoint that never answers: its deliveries wait.
	var dead struct{ ID string }
	ok(t, "a dead endpoint", s.Do("POST", "/v1/webhooks", "dev-admin", map[string]any{"url": "http://127.0.0.1:9/hook"}), 201).JSON(t, &dead)
	c := file(t, s, newComplaint("crm-metrics"))

	// A workflow task that fails: a workflow of a type the worker lacks.
	stray, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "metrics-stray", TaskQueue: workflows.TaskQueue}, "NoSuchWorkflow")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Temporal.TerminateWorkflow(ctx, stray.GetID(), "", "test over") }()
	// And a request Temporal refuses: starting it again.
	if _, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: stray.GetID(), TaskQueue: workflows.TaskQueue,
		WorkflowExecutionErrorWhenAlreadyStarted: true}, "NoSuchWorkflow"); err == nil {
		t.Fatal("a second start of a running workflow succeeded")
	}

	// The warning's and the acknowledgement's projections meet a database
	// without its outbox table: the warning's local attempts fail, then
	// both regular activities, until the table is back.
	db, err := pgx.Connect(ctx, s.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, `ALTER TABLE outbox RENAME TO outbox_away`); err != nil {
		t.Fatal(err)
	}
	waitForMetric(t, s, "temporal_local_activity_execution_failed_total", 30*time.Second)
	acked := make(chan *redresstest.Response, 1)
	go func() {
		acked <- s.Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"})
	}()
	during := waitForMetric(t, s, "temporal_activity_execution_failed_total", 30*time.Second)
	if v, _ := during.Value("redress_gauge_query_failed", "query", "outbox"); v != 1 || during.Has("redress_outbox_backlog") || !during.Has("redress_open_complaints") {
		t.Errorf("without the outbox table: redress_gauge_query_failed{query=outbox} = %v, backlog reported %v, open complaints reported %v; want 1, false, true",
			v, during.Has("redress_outbox_backlog"), during.Has("redress_open_complaints"))
	}
	if _, err := db.Exec(ctx, `ALTER TABLE outbox_away RENAME TO outbox`); err != nil {
		t.Fatal(err)
	}
	if r := <-acked; r.Status != http.StatusOK {
		t.Logf("acknowledge = %d %s; waiting for it to land", r.Status, r.Body)
	}
	s.WaitFor(c.ID, 20*time.Second, "acknowledged", func(c *redress.Complaint) bool { return c.Status == redress.StatusAcknowledged })
	waitForMetric(t, s, "temporal_workflow_task_execution_failed_total", 10*time.Second)

	// Past two seconds from filing, the resolution is due soon.
	time.Sleep(time.Until(c.CreatedAt.Add(3 * time.Second)))
	m := scrape(t, s)
	for _, status := range redress.OpenStatuses {
		for _, level := range []string{"0", "1", "2", "3"} {
			want := 0.0
			if status == redress.StatusAcknowledged && level == "0" {
				want = 1
			}
			if got, ok := m.Value("redress_open_complaints", "status", string(status), "level", level); !ok || got != want {
				t.Errorf("redress_open_complaints{status=%s,level=%s} = %v, %v; want %v", status, level, got, ok, want)
			}
		}
	}
	for _, p := range redress.Priorities {
		want := 0.0
		if p == c.Priority {
			want = 1
		}
		if got, ok := m.Value("redress_complaints_due_soon", "priority", string(p)); !ok || got != want {
			t.Errorf("redress_complaints_due_soon{priority=%s} = %v, %v; want %v", p, got, ok, want)
		}
	}
	for _, name := range []string{"redress_outbox_backlog", "redress_outbox_oldest_age_seconds"} {
		if _, ok := m.Value(name); !ok {
			t.Errorf("%s is missing", name)
		}
	}
	if v, ok := m.Value("redress_webhook_backlog", "endpoint", dead.ID, "managed_by", "api", "enabled", "true"); !ok || v < 1 {
		t.Errorf("the dead endpoint's backlog = %v, %v; want its waiting deliveries", v, ok)
	}
	if v, ok := m.Value("redress_webhook_oldest_age_seconds", "endpoint", dead.ID, "managed_by", "api", "enabled", "true"); !ok || v <= 0 {
		t.Errorf("the dead endpoint's oldest delivery has waited %v, %v", v, ok)
	}
	for _, query := range []string{"open_complaints", "due_soon", "outbox", "webhook_deliveries"} {
		if v, ok := m.Value("redress_gauge_query_failed", "query", query); !ok || v != 0 {
			t.Errorf("redress_gauge_query_failed{query=%s} = %v, %v with the outbox back; want 0", query, v, ok)
		}
	}

	// The worker's SDK series, and every series the dashboard queries.
	for _, name := range []string{"temporal_workflow_task_execution_latency_seconds_bucket",
		"temporal_local_activity_execution_latency_seconds_bucket", "temporal_activity_execution_failed_total",
		"temporal_local_activity_execution_failed_total", "temporal_workflow_task_execution_failed_total"} {
		if !m.Has(name) {
			t.Errorf("the SDK's %s is not on /metrics", name)
		}
	}
	board, err := grafana.Parse(grafana.Dashboard)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, name := range board.MetricNames() {
		if !m.Has(name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the dashboard queries %s, which /metrics lacks; it has %s", missing, strings.Join(m.Names(), " "))
	}
}
