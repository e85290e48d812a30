package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/worker"
)

// A complaint whose workflow was terminated by hand has no clocks; repair
// finds it and starts a successor from what PostgreSQL stored, under a new
// run of the same workflow id, and its deadlines stand where they stood.
func TestTerminatedComplaintIsRepairedWithItsDeadlines(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: `
sla:
  P3: {ack_within: 4s, resolve_within: 60s}
ack_warning_at: 0.5
`})
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := file(t, s, newComplaint("crm-terminated"))
	healthy := file(t, s, newComplaint("crm-healthy"))
	first := runID(t, s, c.ID)
	if err := s.Temporal.TerminateWorkflow(ctx, redress.ComplaintWorkflowID(c.ID), "", "terminated by hand"); err != nil {
		t.Fatal(err)
	}

	report, err := worker.Repair(ctx, s.Temporal, s.DB, redress.DefaultPolicy(), true, logger)
	if err != nil || !slices.Equal(report.Orphans, []string{c.ID}) || report.Restarts != 0 || report.Checked != 2 {
		t.Fatalf("dry run: %+v, %v; want %s alone found and nothing started", report, err, c.ID)
	}
	report, err = worker.Repair(ctx, s.Temporal, s.DB, redress.DefaultPolicy(), false, logger)
	if err != nil || report.Restarts != 1 {
		t.Fatalf("repair: %+v, %v", report, err)
	}
	if runID(t, s, c.ID) == first {
		t.Fatal("no new run")
	}
	// The acknowledgement window of intake still holds: its warning at 2s
	// and its breach at 4s after intake, under the policy it was filed in
	// (repair was handed the default policy, 24h).
	got := s.WaitFor(c.ID, 15*time.Second, "the breach", func(c *redress.Complaint) bool { return c.EscalationLevel == 1 })
	for _, e := range got.Timeline {
		if d := e.At.Sub(*c.AckDueAt); e.Kind == redress.KindSLABreached && (d < 0 || d > time.Second) {
			t.Errorf("the breach fell at %s, want at the stored deadline %s", e.At, c.AckDueAt)
		}
	}
	if count(got, redress.KindAckWarning) != 1 {
		t.Errorf("%d acknowledgement warnings, want 1", count(got, redress.KindAckWarning))
	}
	ok(t, "acknowledge after repair", s.Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), http.StatusOK)
	report, err = worker.Repair(ctx, s.Temporal, s.DB, redress.DefaultPolicy(), false, logger)
	if err != nil || len(report.Orphans) != 0 {
		t.Errorf("a second pass: %+v, %v; want nothing found", report, err)
	}
	// One that took steps: waiting on the customer, its resolution clock
	// paused with the time it had left; after repair the customer's answer
	// resumes it with that time.
	ok(t, "acknowledge", s.Do("POST", "/v1/complaints/"+healthy.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), http.StatusOK)
	ok(t, "wait", s.Do("POST", "/v1/complaints/"+healthy.ID+"/updates", "dev-agent",
		map[string]any{"message": "Photo?", "waiting_on_customer": true}), http.StatusOK)
	paused := s.Complaint(healthy.ID)
	if err := s.Temporal.TerminateWorkflow(ctx, redress.ComplaintWorkflowID(healthy.ID), "", "terminated by hand"); err != nil {
		t.Fatal(err)
	}
	if report, err := worker.Repair(ctx, s.Temporal, s.DB, redress.DefaultPolicy(), false, logger); err != nil || report.Restarts != 1 {
		t.Fatalf("repair after steps: %+v, %v", report, err)
	}
	answered := time.Now()
	ok(t, "reply", s.Do("POST", "/v1/track/"+healthy.TrackingToken+"/reply", "", map[string]string{"message": "Here"}), http.StatusOK)
	resumed := s.Complaint(healthy.ID)
	left := time.Duration(paused.ResolveLeftSeconds) * time.Second
	if paused.ResolvePausedAt == nil || resumed.ResolveDueAt == nil ||
		resumed.ResolveDueAt.Sub(answered) < left-2*time.Second || resumed.ResolveDueAt.Sub(answered) > left+2*time.Second {
		t.Errorf("paused with %s left; after repair and the answer, due %v (answered %s)", left, resumed.ResolveDueAt, answered)
	}
}
