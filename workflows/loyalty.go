package workflows

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
)

// LoyaltyScheduleID names the Schedule of the daily loyalty recompute.
const LoyaltyScheduleID = "redress-loyalty"

// LoyaltyInput is one run of the daily recompute. Now, Page and Expiring
// carry a run that continued as new.
type LoyaltyInput struct {
	Loyalty  redress.LoyaltyPolicy `json:"loyalty"`
	Now      *time.Time            `json:"now,omitempty"`
	Page     string                `json:"page,omitempty"`
	Expiring bool                  `json:"expiring,omitempty"` // the tiers are done: the run is expiring points
}

// LoyaltyResult counts what a run (its last part, after a continue as new)
// did.
type LoyaltyResult struct {
	TiersChanged  int   `json:"tiers_changed"`
	PointsExpired int64 `json:"points_expired"`
}

// loyaltyPagesPerRun bounds the pages one run takes before it continues as
// new, so that its history stays small over a large customer base.
const loyaltyPagesPerRun = 200

// Loyalty reviews the tiers of the customers loyalty may lower (a
// downgrade waits loyalty.downgrade_after; purchases raise tiers at once),
// then writes off lapsed points, a page at a time.
func Loyalty(ctx workflow.Context, in LoyaltyInput) (LoyaltyResult, error) {
	var result LoyaltyResult
	now := workflow.Now(ctx).UTC()
	if in.Now != nil {
		now = *in.Now
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	page := in.Page
	for pages := 0; ; pages++ {
		if pages == loyaltyPagesPerRun {
			next := in
			next.Now, next.Page = &now, page
			return result, workflow.NewContinueAsNewError(ctx, Loyalty, next)
		}
		step := activities.LoyaltyPage{Loyalty: in.Loyalty, Now: now, After: page}
		name := activities.ReviewTiersName
		if in.Expiring {
			name = activities.ExpirePointsName
		}
		var done activities.LoyaltyStep
		if err := workflow.ExecuteActivity(actx, name, step).Get(ctx, &done); err != nil {
			return result, err
		}
		result.TiersChanged += done.Changed
		result.PointsExpired += done.Expired
		if page = done.Next; page != "" {
			continue
		}
		if in.Expiring {
			return result, nil
		}
		in.Expiring = true
	}
}

// EnsureLoyaltySchedule creates or updates the daily recompute's Schedule,
// or deletes it when the policy earns no tiers and keeps points for ever.
func EnsureLoyaltySchedule(ctx context.Context, c client.Client, policy redress.Policy) error {
	l := policy.Loyalty
	if len(l.Tiers) == 0 && l.PointsExpireAfter == 0 {
		return deleteSchedule(ctx, c, "loyalty", LoyaltyScheduleID)
	}
	return ensureSchedule(ctx, c, "loyalty", LoyaltyScheduleID, l.Cron, policy.Timezone, &client.ScheduleWorkflowAction{
		ID:        "loyalty",
		Workflow:  "Loyalty",
		Args:      []any{LoyaltyInput{Loyalty: l}},
		TaskQueue: TaskQueue,
	})
}
