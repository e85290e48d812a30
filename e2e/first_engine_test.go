package e2e

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/worker"
	"github.com/redress-dev/redress/workflows"
)

// A complaint still running the first deadline engine is found and moved
// to the current one, its deadlines where they stood; a complaint on the
// current engine is left alone. The first engine runs here as it ran for
// complaints started before the engine changed: a worker of its own
// records the default version of the engine's change.
func TestFirstEngineComplaintIsMovedToTheCurrentEngine(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: `
sla:
  P3: {ack_within: 8s, resolve_within: 60s}
ack_warning_at: 0.5
`})
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	old := file(t, s, newComplaint("crm-first-engine"))
	current := file(t, s, newComplaint("crm-current-engine"))
	id := redress.ComplaintWorkflowID(old.ID)
	if err := s.Temporal.TerminateWorkflow(ctx, id, "", "to run it on the first engine"); err != nil {
		t.Fatal(err)
	}
	const firstEngineQueue = "first-engine"
	w := sdkworker.New(s.Temporal, firstEngineQueue, sdkworker.Options{
		PreferredVersionProvider: func(in sdkworker.PreferredVersionProviderInput) *sdkworker.VersionPreference {
			if in.ChangeID == "deadlines-fired-by-kind" {
				return &sdkworker.VersionPreference{Version: workflow.DefaultVersion}
			}
			return nil
		},
	})
	worker.Register(w, &activities.Activities{Store: s.DB, Tokens: tokens.NewSigner("test-secret-0123456789", s.BaseURL)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := s.DB.StoredRun(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	policy, err := workflows.StoredPolicy(run.Policy, redress.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	stored := s.Complaint(old.ID)
	in := workflows.NewComplaintInput(stored, redress.TierStandard, policy)
	if _, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: firstEngineQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE, TypedSearchAttributes: workflows.SearchAttributes(in)},
		"Complaint", in); err != nil {
		t.Fatal(err)
	}
	waitForChangeVersion(t, s, id, "deadlines-fired-by-kind--1")

	found, moved, err := worker.MoveFirstEngine(ctx, s.Temporal, s.DB, redress.DefaultPolicy(), true, 0, logger)
	if err != nil || !slices.Equal(found, []string{old.ID}) || moved != 0 {
		t.Fatalf("dry run: found %v, moved %d, %v; want %s alone found and nothing moved (%s is on the current engine)",
			found, moved, err, old.ID, current.ID)
	}
	if _, moved, err = worker.MoveFirstEngine(ctx, s.Temporal, s.DB, redress.DefaultPolicy(), false, 0, logger); err != nil || moved != 1 {
		t.Fatalf("move: %d moved, %v", moved, err)
	}
	d, err := s.Temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil || d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING ||
		d.WorkflowExecutionInfo.TaskQueue != workflows.TaskQueue {
		t.Fatalf("after the move: %v, %v; want a run on %s", d, err, workflows.TaskQueue)
	}
	waitForChangeVersion(t, s, id, "deadlines-fired-by-kind-1")

	// The acknowledgement window of intake holds: the warning at 4s and
	// the breach at 8s after intake.
	got := s.WaitFor(old.ID, 20*time.Second, "the breach", func(c *redress.Complaint) bool { return c.EscalationLevel == 1 })
	for _, e := range got.Timeline {
		if d := e.At.Sub(*stored.AckDueAt); e.Kind == redress.KindSLABreached && (d < 0 || d > time.Second) {
			t.Errorf("the breach fell at %s, want at the stored deadline %s", e.At, stored.AckDueAt)
		}
	}
	if n := count(got, redress.KindAckWarning); n != 1 {
		t.Errorf("%d acknowledgement warnings, want 1", n)
	}
	if found, _, err := worker.MoveFirstEngine(ctx, s.Temporal, s.DB, redress.DefaultPolicy(), true, 0, logger); err != nil || len(found) != 0 {
		t.Errorf("a second pass found %v, %v; want none", found, err)
	}
}

// waitForChangeVersion waits until the workflow's visibility record holds
// the change version: its run has taken its first workflow task.
func waitForChangeVersion(t *testing.T, s *redresstest.Stack, workflowID, version string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, err := s.Temporal.DescribeWorkflowExecution(context.Background(), workflowID, "")
		if err != nil {
			t.Fatal(err)
		}
		var versions []string
		if p := d.WorkflowExecutionInfo.GetSearchAttributes().GetIndexedFields()["TemporalChangeVersion"]; p != nil {
			if err := converter.GetDefaultDataConverter().FromPayload(p, &versions); err != nil {
				t.Fatal(err)
			}
		}
		if slices.Contains(versions, version) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never recorded %s: %v", workflowID, version, versions)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
