package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
)

// note appends a line to the complaint's timeline; commit writes it.
func (wf *complaint) note(ctx workflow.Context, actor, kind string, public bool, detail string) {
	wf.book.Seq++
	wf.pending.Timeline = append(wf.pending.Timeline, redress.TimelineEntry{
		At: workflow.Now(ctx).UTC(), Actor: actor, Kind: kind, Public: public, Detail: detail})
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

// projectionOptions retry the PostgreSQL write until it succeeds: a change
// the workflow made must reach the record people read, however long the
// database is down.
var projectionOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    500 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// commit writes the state and the pending timeline and events to PostgreSQL
// and brings the search attributes up to date. Actions and clocks call it
// once per step.
func (wf *complaint) commit(ctx workflow.Context) error {
	change := wf.pending
	wf.pending = redress.Change{}
	change.ComplaintID, change.CustomerID, change.Seq, change.State = wf.in.ComplaintID, wf.in.CustomerID, wf.book.Seq, wf.state
	wf.changed = true
	lctx := workflow.WithLocalActivityOptions(ctx, projectionOptions)
	if err := workflow.ExecuteLocalActivity(lctx, activities.ApplyChangeName, change).Get(ctx, nil); err != nil {
		return err
	}
	return wf.upsertSearchAttributes(ctx)
}
