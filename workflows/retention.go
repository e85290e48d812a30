package workflows

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
)

// RetentionScheduleID names the Schedule that runs retention.
const RetentionScheduleID = "redress-retention"

// RetentionInput is one run of retention: complaints closed longer than
// After ago lose their personal data. Cutoff and Page carry a run that
// continued as new.
type RetentionInput struct {
	After  redress.Duration `json:"after"`
	Cutoff *time.Time       `json:"cutoff,omitempty"`
	Page   string           `json:"page,omitempty"`
	// Customers is set once the complaints are done: the run is then
	// erasing the customers left with nothing.
	Customers bool `json:"customers,omitempty"`
}

// RetentionResult counts what a run (its last part, after a continue as
// new) did.
type RetentionResult struct {
	Anonymized int `json:"anonymized"`
	Running    int `json:"running"` // closed before the cutoff, workflow still running: next run
	Erasures   int `json:"erasures"`
}

// retentionPagesPerRun bounds the pages one run takes before it continues
// as new, so that its history stays small on a large backlog.
const retentionPagesPerRun = 200

// Retention anonymizes the complaints closed before the cutoff, a page at
// a time, then starts the erasure of each customer left with no complaint
// that holds personal data (a child workflow that outlives the run).
func Retention(ctx workflow.Context, in RetentionInput) (RetentionResult, error) {
	var result RetentionResult
	cutoff := workflow.Now(ctx).Add(-in.After.D())
	if in.Cutoff != nil {
		cutoff = *in.Cutoff
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 1 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	page := in.Page
	for pages := 0; ; pages++ {
		if pages == retentionPagesPerRun {
			next := in
			next.Cutoff, next.Page = &cutoff, page
			return result, workflow.NewContinueAsNewError(ctx, Retention, next)
		}
		step := activities.RetentionPage{Cutoff: cutoff, After: page}
		if !in.Customers {
			var done activities.AnonymizedPage
			if err := workflow.ExecuteActivity(actx, activities.AnonymizeClosedName, step).Get(ctx, &done); err != nil {
				return result, err
			}
			result.Anonymized += done.Anonymized
			result.Running += done.Running
			if page = done.Next; page == "" {
				in.Customers = true
			}
			continue
		}
		var past activities.PastCustomers
		if err := workflow.ExecuteActivity(actx, activities.RequestPastErasuresName, step).Get(ctx, &past); err != nil {
			return result, err
		}
		for _, id := range past.IDs {
			if err := startErasureChild(ctx, id); err != nil {
				return result, err
			}
			result.Erasures++
		}
		if page = past.Next; page == "" {
			return result, nil
		}
	}
}

// startErasureChild starts a customer's erasure from retention; one under
// way already is left to run.
func startErasureChild(ctx workflow.Context, customerID string) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            redress.ErasureWorkflowID(customerID),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	})
	child := workflow.ExecuteChildWorkflow(cctx, Erasure, activities.ErasureInput{CustomerID: customerID, By: activities.RetentionActor})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return nil
	}
	return err
}

// EnsureRetentionSchedule creates or updates the Schedule that runs
// retention by the policy, or deletes it when the policy keeps everything.
func EnsureRetentionSchedule(ctx context.Context, c client.Client, policy redress.Policy) error {
	if policy.Retention.AnonymizeClosedAfter == 0 {
		return deleteSchedule(ctx, c, "retention", RetentionScheduleID)
	}
	return ensureSchedule(ctx, c, "retention", RetentionScheduleID, policy.Retention.Cron, policy.Timezone, &client.ScheduleWorkflowAction{
		ID:        "retention",
		Workflow:  "Retention",
		Args:      []any{RetentionInput{After: policy.Retention.AnonymizeClosedAfter}},
		TaskQueue: TaskQueue,
	})
}
