package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/workflows"
)

// BenchmarkCampaign runs one campaign of the largest size the API takes over
// as many customers, each with an open complaint, on the dev stack: how
// long it takes, what the progress says while it runs, and what each of
// its runs costs in history.
func BenchmarkCampaign(b *testing.B) {
	n := redress.MaxCampaignCustomers
	s := redresstest.StartStack(b, redresstest.StackOptions{})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.Config.DatabaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	// Complaints marked started, so that the starter sweep leaves them be.
	if _, err := conn.Exec(ctx, `INSERT INTO customers (id, external_id) SELECT gen_random_uuid(), 'bench-' || i FROM generate_series(1, $1) i`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO complaints (id, customer_id, status, priority, category, severity, channel, subject, description,
			created_at, tracking_token_hash, workflow_started)
		SELECT gen_random_uuid(), id, 'in_progress', 'P3', 'delivery', 'medium', 'web', 'Late', 'Late', now(),
			decode(md5(id::text), 'hex'), true FROM customers`); err != nil {
		b.Fatal(err)
	}

	var c struct {
		ID       string                      `json:"id"`
		Status   string                      `json:"status"`
		Progress *workflows.CampaignProgress `json:"progress"`
	}
	b.ResetTimer()
	start := time.Now()
	r := s.Do("POST", "/v1/campaigns", "dev-admin", map[string]any{"limit": n})
	if r.Status != http.StatusAccepted {
		b.Fatalf("start: %d %s", r.Status, r.Body)
	}
	r.JSON(b, &c)
	runs := map[string]bool{}
	for c.Status != "completed" {
		time.Sleep(2 * time.Second)
		if r := s.Do("GET", "/v1/campaigns/"+c.ID, "dev-admin", nil); r.Status != http.StatusOK {
			b.Fatalf("progress: %d %s", r.Status, r.Body)
		} else {
			r.JSON(b, &c)
		}
		if c.Status == "failed" || time.Since(start) > 20*time.Minute {
			b.Fatalf("campaign %s after %s", c.Status, time.Since(start))
		}
		d, err := s.Temporal.DescribeWorkflowExecution(ctx, workflows.CampaignWorkflowID(c.ID), "")
		if err == nil {
			runs[d.WorkflowExecutionInfo.Execution.RunId] = true
		}
		b.Logf("%5.0fs %s: %d of %d processed, %d started (run %d)", time.Since(start).Seconds(), c.Status,
			c.Progress.Processed, c.Progress.Total, c.Progress.Started, len(runs))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if p := c.Progress; p.Total != n || p.Started != n {
		b.Fatalf("result: %d of %d started", p.Started, p.Total)
	}

	// Walk the runs from the first and count what each kept in history.
	d, err := s.Temporal.DescribeWorkflowExecution(ctx, workflows.CampaignWorkflowID(c.ID), "")
	if err != nil {
		b.Fatal(err)
	}
	run, count, maxEvents, maxBytes := d.WorkflowExecutionInfo.FirstRunId, 0, 0, 0
	for run != "" {
		it := s.Temporal.GetWorkflowHistory(ctx, workflows.CampaignWorkflowID(c.ID), run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		events, size, next := 0, 0, ""
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				b.Fatal(err)
			}
			events, size = events+1, size+proto.Size(e)
			if a := e.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
				next = a.NewExecutionRunId
			}
		}
		count, maxEvents, maxBytes = count+1, max(maxEvents, events), max(maxBytes, size)
		run = next
	}
	var projected int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM winbacks WHERE complaint_id IS NULL`).Scan(&projected); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(elapsed.Seconds(), "s")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "starts/s")
	b.ReportMetric(float64(count), "runs")
	b.ReportMetric(float64(maxEvents), "max-events/run")
	b.ReportMetric(float64(maxBytes)/1e6, "max-MB/run")
	b.ReportMetric(float64(projected), "winback-rows")
}
