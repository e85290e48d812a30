package workflows

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
)

// Erasure is the workflow that erases a customer's personal data: one per
// customer, so a crash midway resumes where it stopped and a second request
// joins the first. Its steps are idempotent activities, retried until they
// succeed: end the customer's running workflows (whose histories would no
// longer decode), destroy the customer's data keys and scrub the rows,
// wait until the attachment store has deleted the files, and record the
// erasure done.
func Erasure(ctx workflow.Context, in activities.ErasureInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 1 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: time.Minute},
	})
	for _, step := range []string{activities.EndCustomerWorkflowsName, activities.EraseCustomerDataName,
		activities.ErasedFilesGoneName, activities.FinishErasureName} {
		if err := workflow.ExecuteActivity(ctx, step, in).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// StartErasure starts a customer's erasure; a running one is joined, and a
// finished one is not run again (its customer is erased).
func StartErasure(ctx context.Context, c client.Client, in activities.ErasureInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       redress.ErasureWorkflowID(in.CustomerID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, "Erasure", in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
