package workflows

import (
	"context"
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
)

// StartComplaint starts a complaint's workflow. It is idempotent: starting a
// complaint whose workflow runs or has run is a no-op, so intake retries and
// the starter's sweeps can call it freely.
func StartComplaint(ctx context.Context, c client.Client, in ComplaintInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       redress.ComplaintWorkflowID(in.ComplaintID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    SearchAttributes(in),
	}, "Complaint", in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // it ran and finished: nothing to start
	}
	return err
}
