package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
)

// note appends a line to the complaint's timeline; commit writes it. The
// line is made by the credential of the action under way, or else by the
// system (a deadline, a win-back the loop started).
func (wf *complaint) note(ctx workflow.Context, actor, kind, detail string) {
	wf.book.Seq++
	by := wf.actingBy
	if by == "" {
		by = redress.BySystem
	}
	wf.pending.Timeline = append(wf.pending.Timeline, redress.TimelineEntry{
		At: workflow.Now(ctx).UTC(), Actor: actor, By: by, Kind: kind, Public: redress.PublicKind(kind), Detail: detail})
}

// emit queues an event for the outbox; commit writes it. Its id is derived
// from the timeline line it goes with, so a retried write never doubles it.
func (wf *complaint) emit(ctx workflow.Context, eventType string, data map[string]any) {
	wf.pending.Events = append(wf.pending.Events, redress.Event{
		ID:          fmt.Sprintf("%s-%d-%s", wf.in.ComplaintID, wf.book.Seq, eventType),
		Type:        eventType,
		OccurredAt:  workflow.Now(ctx).UTC(),
		ComplaintID: wf.in.ComplaintID,
		CustomerID:  wf.in.CustomerID,
		Data:        data,
	})
}

// A projection writes one step to PostgreSQL. A short burst of local
// attempts absorbs a blip at no cost. Past it the write becomes a regular
// activity: the server retries it without end, and, unlike local retries,
// without adding to the history, so a complaint waits out an outage of any
// length and loses nothing.
var (
	projectionBurst = workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 6 * time.Second, // under 80% of the 10 s workflow task, so no task heartbeats
		StartToCloseTimeout:    3 * time.Second,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 2 * time.Second},
	}
	projectionPatience = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
)

// project runs a PostgreSQL activity (a write, or the win-back's last look
// for a purchase) until it succeeds.
func project(ctx workflow.Context, result any, activity string, args ...any) error {
	lctx := workflow.WithLocalActivityOptions(ctx, projectionBurst)
	if err := workflow.ExecuteLocalActivity(lctx, activity, args...).Get(ctx, result); err == nil {
		return nil
	}
	return projectAfterSaving(ctx, result, activity, args...)
}

// projectAfterSaving runs the activity as a regular one, which starts only
// once the workflow task that asks for it is saved in the history.
func projectAfterSaving(ctx workflow.Context, result any, activity string, args ...any) error {
	actx := workflow.WithActivityOptions(ctx, projectionPatience)
	return workflow.ExecuteActivity(actx, activity, args...).Get(ctx, result)
}

// actionWritesChange versions where an action's writes run. A local
// activity runs before the workflow task that accepted the action is saved;
// when the Temporal server was lost at that moment, PostgreSQL kept a step
// the history never held, and the client's retry wrote the action again as
// another step, after a deadline had taken the first one's number
// (TestChaosOutages found it). Since this change an action's steps, and the
// deadlines it fires before acting, are written by regular activities,
// after the history holds the action. A clock's own step stays local: a
// lost task runs it again under the same step number.
const actionWritesChange = "action-writes-after-saving"

// commit writes the state and the pending timeline and events to PostgreSQL
// and brings the search attributes up to date. Actions and clocks call it
// once per step.
func (wf *complaint) commit(ctx workflow.Context) error {
	change := wf.pending
	wf.pending = redress.Change{}
	change.ComplaintID, change.CustomerID, change.Seq, change.State = wf.in.ComplaintID, wf.in.CustomerID, wf.book.Seq, wf.state
	change.Bookkeeping, _ = json.Marshal(wf.book) // plain data: it cannot fail
	wf.changed = true
	write := project
	if wf.inAction {
		write = projectAfterSaving
	}
	if err := write(ctx, nil, activities.ApplyChangeName, change); err != nil {
		return err
	}
	return wf.upsertSearchAttributes(ctx)
}
