package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
)

// engineChange versions the deadline engine. Complaints started before it
// carry no marker and run the first engine's loop below, which their
// histories were written by; every complaint since runs the loop in
// complaint.go, whose actions fire due deadlines first, one step at a time.
const engineChange = "deadlines-fired-by-kind"

// OnCurrentEngine tells from a run's TemporalChangeVersion search attribute
// whether it runs the current engine: the SDK records the engine's version
// there on the run's first workflow task.
func OnCurrentEngine(changeVersions []string) bool {
	return slices.Contains(changeVersions, engineChange+"-1")
}

// runFirstEngine is the first engine's loop, kept word for word in
// behaviour so that complaints in flight from before the change replay:
// it sleeps until the earliest deadline and fires that one. (It froze on two
// deadlines at one instant; such a complaint needs a reset to move on.)
func (wf *complaint) runFirstEngine(ctx workflow.Context) (redress.State, error) {
	timer := firstEngineTimer{}
	for !wf.done || wf.winbackReason != "" {
		if wf.winbackReason != "" {
			if err := wf.startWinback(ctx); err != nil {
				return wf.state, err
			}
			continue
		}
		d, due, _ := wf.firstDue()
		timer.arm(ctx, due)
		if err := workflow.Await(ctx, func() bool { return wf.changed || timer.fired }); err != nil {
			return wf.state, err
		}
		if wf.changed {
			wf.changed = false
			continue
		}
		timer.fired = false
		if err := wf.fire(ctx, d, due); err != nil {
			return wf.state, err
		}
	}
	timer.arm(ctx, time.Time{})
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return wf.state, err
}

// firstEngineTimer is the first engine's timer: it is keyed by the instant
// it fires at, which is why two deadlines on one instant froze it.
type firstEngineTimer struct {
	due    time.Time
	fired  bool
	cancel workflow.CancelFunc
}

func (t *firstEngineTimer) arm(ctx workflow.Context, due time.Time) {
	if due.Equal(t.due) {
		return
	}
	if t.cancel != nil {
		t.cancel()
	}
	t.due, t.fired, t.cancel = due, false, nil
	if due.IsZero() {
		return
	}
	wait := due.Sub(workflow.Now(ctx))
	if wait <= 0 {
		t.fired = true
		return
	}
	timerCtx, cancel := workflow.WithCancel(ctx)
	t.cancel = cancel
	f := workflow.NewTimer(timerCtx, wait)
	workflow.Go(ctx, func(gctx workflow.Context) {
		if f.Get(gctx, nil) == nil && t.due.Equal(due) {
			t.fired = true
		}
	})
}
