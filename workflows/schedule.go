package workflows

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/redress-dev/redress"
)

// EnsureCampaignSchedule creates the retention campaign's Schedule, or
// brings an existing one up to the policy (cron, time zone, size, offers):
// the service calls it at start-up, so a policy change reaches the Schedule
// with the next deploy.
func EnsureCampaignSchedule(ctx context.Context, c client.Client, policy redress.Policy) error {
	spec := client.ScheduleSpec{CronExpressions: []string{policy.Campaign.Cron}, TimeZoneName: policy.Timezone}
	action := &client.ScheduleWorkflowAction{
		ID:        CampaignWorkflowID("scheduled"),
		Workflow:  "Campaign",
		Args:      []any{CampaignInput{Limit: policy.Campaign.MaxCustomers, Policy: policy.Winback}},
		TaskQueue: TaskQueue,
	}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      CampaignScheduleID,
		Spec:    spec,
		Action:  action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, // a slow campaign is not run twice at once
	})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		if err != nil {
			return fmt.Errorf("create the campaign schedule: %w", err)
		}
		return nil
	}
	err = c.ScheduleClient().GetHandle(ctx, CampaignScheduleID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec, s.Action = &spec, action
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return fmt.Errorf("update the campaign schedule: %w", err)
	}
	return nil
}
