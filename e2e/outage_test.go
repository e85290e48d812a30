package e2e

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/devstack"
	"github.com/redress-dev/redress/redresstest"
)

// historyLength counts the events in a complaint's workflow history.
func historyLength(t *testing.T, s *redresstest.Stack, id string) int {
	t.Helper()
	iter := s.Temporal.GetWorkflowHistory(context.Background(), redress.ComplaintWorkflowID(id), "", false, 0)
	n := 0
	for iter.HasNext() {
		if _, err := iter.Next(); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// While PostgreSQL is down, a complaint whose clock fired keeps retrying its
// projection, but its history must not grow with the outage: a complaint
// that waits out a long outage would otherwise reach the history limits.
// REDRESS_OUTAGE_SECONDS lengthens the outage (60 s by default) to measure.
func TestDatabaseOutageDoesNotGrowHistories(t *testing.T) {
	outage := 60 * time.Second
	if v, err := strconv.Atoi(os.Getenv("REDRESS_OUTAGE_SECONDS")); err == nil && v > 30 {
		outage = time.Duration(v) * time.Second
	}
	ctx := context.Background()
	pg, dir := stoppablePostgres(t)
	s := redresstest.StartStack(t, redresstest.StackOptions{DatabaseURL: pg.URL("redress"), Policy: `
ack_warning_at: 0.5
sla:
  P1: {ack_within: 10s, resolve_within: 1h}
  P2: {ack_within: 10s, resolve_within: 1h}
  P3: {ack_within: 10s, resolve_within: 1h}
  P4: {ack_within: 10s, resolve_within: 1h}
`})
	c := file(t, s, newComplaint("crm-long-outage"))
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	atStart := historyLength(t, s, c.ID)
	time.Sleep(25*time.Second - time.Since(down)) // the warning fell due at 5 s; its write has failed by now
	settled := historyLength(t, s, c.ID)
	time.Sleep(outage - time.Since(down))
	atEnd := historyLength(t, s, c.ID)
	t.Logf("history events: %d when PostgreSQL stopped, %d after 25 s, %d after %s", atStart, settled, atEnd, outage)
	if atEnd != settled {
		t.Errorf("the history grew from %d to %d events while PostgreSQL stayed down", settled, atEnd)
	}
	run, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.ComplaintWorkflowID(c.ID), "")
	if err != nil || run.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("the complaint's workflow did not wait out the outage: %v %v", run.GetWorkflowExecutionInfo().GetStatus(), err)
	}

	if pg, err = devstack.StartPostgres(ctx, dir, "redress"); err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	// Each window that follows a breach starts at the breached deadline, so
	// the windows that ran out during the outage take the complaint up the
	// whole ladder once its steps can be written.
	s.WaitFor(c.ID, 90*time.Second, "the warnings and breaches projected after the outage", func(c *redress.Complaint) bool {
		return c.EscalationLevel == redress.MaxEscalationLevel
	})
	s.Close() // before the cluster stops
}
