package workflows

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/redress-dev/redress"
)

// EnsureCampaignSchedule creates the retention campaign's Schedule, or
// brings an existing one up to the policy (cron, time zone, size, offers):
// the service calls it at start-up, so a policy change reaches the Schedule
// with the next deploy.
func EnsureCampaignSchedule(ctx context.Context, c client.Client, policy redress.Policy) error {
	return ensureSchedule(ctx, c, "campaign", CampaignScheduleID, policy.Campaign.Cron, policy.Timezone, &client.ScheduleWorkflowAction{
		ID:        CampaignWorkflowID("scheduled"),
		Workflow:  "Campaign",
		Args:      []any{CampaignInput{Limit: policy.Campaign.MaxCustomers, Policy: policy.Winback}},
		TaskQueue: TaskQueue,
	})
}

// ensureSchedule creates a Schedule, or brings an existing one to the spec
// and action given. A slow run is never run twice at once.
func ensureSchedule(ctx context.Context, c client.Client, what, id, cron, zone string, action *client.ScheduleWorkflowAction) error {
	spec := client.ScheduleSpec{CronExpressions: []string{cron}, TimeZoneName: zone}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Action: action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		if err != nil {
			return fmt.Errorf("create the %s schedule: %w", what, err)
		}
		return nil
	}
	err = c.ScheduleClient().GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec, s.Action = &spec, action
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return fmt.Errorf("update the %s schedule: %w", what, err)
	}
	return nil
}

// deleteSchedule removes a Schedule the policy turned off, if there is one.
func deleteSchedule(ctx context.Context, c client.Client, what, id string) error {
	err := c.ScheduleClient().GetHandle(ctx, id).Delete(ctx)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("delete the %s schedule: %w", what, err)
	}
	return nil
}
