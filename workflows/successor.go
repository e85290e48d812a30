package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
)

// StoredPolicy is the policy a complaint was filed under, as stored with
// it; complaints stored before their policy was kept get fallback.
func StoredPolicy(doc json.RawMessage, fallback redress.Policy) (redress.Policy, error) {
	if len(doc) == 0 {
		return fallback, nil
	}
	var p redress.Policy
	if err := json.Unmarshal(doc, &p); err != nil {
		return redress.Policy{}, err
	}
	return p, nil
}

// SuccessorInput is the input of a new run for a complaint whose workflow
// was terminated or lost, from what PostgreSQL stored: its state, its
// policy and the bookkeeping of its latest step, so that its deadlines
// stand where they stood. A complaint stored before its bookkeeping was
// kept gets what its state shows: its clocks, paused or not, and its
// reopen window; an acknowledgement warning not yet given is not given. One
// that never took a step runs as its first run would.
func SuccessorInput(c *redress.Complaint, tier redress.Tier, policy redress.Policy, book json.RawMessage, seq int) (ComplaintInput, error) {
	in := NewComplaintInput(c, tier, policy)
	if len(book) == 0 && seq <= 1 {
		return in, nil // it never took a step: it starts as its first run did
	}
	carried := &Bookkeeping{}
	if len(book) > 0 {
		if err := json.Unmarshal(book, carried); err != nil {
			return ComplaintInput{}, err
		}
	} else {
		carried.ResolvePaused = c.ResolvePausedAt != nil
		carried.ResolveLeft = time.Duration(c.ResolveLeftSeconds) * time.Second
		if c.Status == redress.StatusResolved && c.ResolvedAt != nil {
			reopenBy := c.ResolvedAt.Add(policy.ReopenWithin.D())
			carried.ReopenDueAt = &reopenBy
		}
	}
	carried.Seq = max(carried.Seq, seq)
	in.Carried = carried
	return in, nil
}

// StartSuccessor starts a new run of a complaint's workflow under the same
// id, when none runs: one that was terminated, cancelled, timed out or
// failed, or is gone from Temporal. It reports whether it started one.
func StartSuccessor(ctx context.Context, c client.Client, in ComplaintInput) (bool, error) {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       redress.ComplaintWorkflowID(in.ComplaintID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    SearchAttributes(in),
	}, "Complaint", in)
	var running *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &running) {
		return false, nil
	}
	return err == nil, err
}
