package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
)

// followUpChange is where a resolution began to schedule the account
// team's follow-up (policy followup).
const followUpChange = "followup-visits"

// scheduleFollowUp sets the follow-up of a resolution made at now, when
// the policy asks one for the complaint's priority or its customer's tier.
// The run then lasts until it falls due.
func (wf *complaint) scheduleFollowUp(ctx workflow.Context, now time.Time) {
	f := wf.in.Policy.FollowUp
	if !wf.currentEngine || !f.Applies(wf.state.Priority, wf.in.CustomerTier) ||
		workflow.GetVersion(ctx, followUpChange, workflow.DefaultVersion, 1) < 1 {
		return
	}
	due := now.Add(f.After.D())
	wf.book.FollowUpAt, wf.state.FollowUpDueAt = &due, &due
}

// cancelFollowUp drops a follow-up not yet due: the complaint was reopened,
// and its next resolution schedules one again.
func (wf *complaint) cancelFollowUp() {
	if wf.book.FollowUpAt != nil {
		wf.book.FollowUpAt, wf.state.FollowUpDueAt = nil, nil
	}
}

// tellFollowUpDue tells the account team that the follow-up is due.
func (wf *complaint) tellFollowUpDue(ctx workflow.Context) error {
	due := *wf.book.FollowUpAt
	wf.book.FollowUpAt = nil
	wf.note(ctx, redress.BySystem, redress.KindFollowUpDue, "Follow-up due: the account team calls or visits the customer")
	wf.emit(ctx, redress.EventFollowUpDue, map[string]any{"due_at": due.Format(time.RFC3339),
		"priority": string(wf.state.Priority), "tier": string(wf.in.CustomerTier)})
	return wf.commit(ctx)
}
