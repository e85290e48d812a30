package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
)

// The SLA clocks. Each open window is a deadline in State (AckDueAt,
// ResolveDueAt) plus the acknowledgement warning; the run loop sleeps until
// the earliest and calls its handler, which always moves that deadline on.

// nextDeadline returns the earliest pending deadline and what to do at it,
// or a zero time when no clock runs.
func (wf *complaint) nextDeadline() (time.Time, func(workflow.Context) error) {
	var due time.Time
	var fire func(workflow.Context) error
	consider := func(t *time.Time, f func(workflow.Context) error) {
		if t != nil && (due.IsZero() || t.Before(due)) {
			due, fire = *t, f
		}
	}
	consider(wf.ackWarnAt, wf.warnAck)
	consider(wf.state.AckDueAt, wf.breachAck)
	consider(wf.state.ResolveDueAt, wf.breachResolve)
	consider(wf.reopenDueAt, wf.closeSilently)
	consider(wf.surveyRemindAt, wf.remindSurvey)
	consider(wf.surveyExpireAt, wf.expireSurvey)
	return due, fire
}

func (wf *complaint) sla() redress.SLA { return wf.in.Policy.SLA[wf.state.Priority] }

// ackWarningTime is the share ack_warning_at of an acknowledgement window
// opened at start.
func (wf *complaint) ackWarningTime(start time.Time) *time.Time {
	share := time.Duration(float64(wf.sla().AckWithin.D()) * wf.in.Policy.AckWarningAt)
	t := wf.clock.Add(start, share)
	return &t
}

// openAckWindow starts a fresh acknowledgement window at now.
func (wf *complaint) openAckWindow(now time.Time) {
	due := wf.clock.Add(now, wf.sla().AckWithin.D())
	wf.state.AckDueAt = &due
	wf.ackWarnAt = wf.ackWarningTime(now)
}

// stopAckClock ends the acknowledgement window: someone acknowledged.
func (wf *complaint) stopAckClock() {
	wf.state.AckDueAt, wf.ackWarnAt = nil, nil
}

func (wf *complaint) warnAck(ctx workflow.Context) error {
	wf.ackWarnAt = nil
	who := wf.state.Assignee
	if who == "" {
		who = "the unassigned queue"
	}
	wf.note(ctx, "system", "ack_warning", false,
		fmt.Sprintf("Acknowledgement due at %s; warned %s", wf.state.AckDueAt.Format(time.RFC3339), who))
	wf.emit(ctx, redress.EventAckWarning, map[string]any{
		"assignee": wf.state.Assignee, "ack_due_at": wf.state.AckDueAt.Format(time.RFC3339)})
	return wf.commit(ctx)
}

func (wf *complaint) breachAck(ctx workflow.Context) error {
	wf.stopAckClock()
	if wf.breach(ctx, redress.BreachAcknowledgement) {
		wf.openAckWindow(workflow.Now(ctx))
	}
	return wf.commit(ctx)
}

func (wf *complaint) breachResolve(ctx workflow.Context) error {
	wf.state.ResolveDueAt = nil
	if wf.breach(ctx, redress.BreachResolution) {
		due := wf.clock.Add(workflow.Now(ctx), wf.sla().ResolveWithin.D())
		wf.state.ResolveDueAt = &due
	}
	return wf.commit(ctx)
}

// breach marks an SLA breach and escalates one level. It reports whether
// the complaint moved up, so that a fresh window starts at the new level; at
// the top of the ladder the breach is recorded and no window follows.
func (wf *complaint) breach(ctx workflow.Context, reason string) bool {
	wf.state.SLABreached = true
	wf.note(ctx, "system", "sla_breached", false, "SLA breached: "+reason)
	// Complaints that breached before win-backs existed replay without one.
	if wf.in.CustomerTier.Premium() &&
		workflow.GetVersion(ctx, "winback-on-premium-breach", workflow.DefaultVersion, 1) >= 1 {
		wf.triggerWinback("SLA breach for a " + string(wf.in.CustomerTier) + " customer")
	}
	if wf.state.EscalationLevel >= redress.MaxEscalationLevel {
		wf.note(ctx, "system", "escalation_exhausted", false,
			"Already at the top of the escalation ladder; "+wf.in.Policy.EscalationStep(redress.MaxEscalationLevel).Notify+" were told before")
		return false
	}
	wf.escalate(ctx, "system", reason)
	return true
}

// escalate moves the complaint one level up and notifies that level.
func (wf *complaint) escalate(ctx workflow.Context, actor, reason string) {
	wf.state.EscalationLevel++
	step := wf.in.Policy.EscalationStep(wf.state.EscalationLevel)
	wf.note(ctx, actor, "escalated", true,
		fmt.Sprintf("Escalated to level %d (%s notified): %s", step.Level, step.Notify, reason))
	wf.emit(ctx, redress.EventEscalated, map[string]any{"level": step.Level, "reason": reason, "notify": step.Notify})
}

// deadlineTimer is one durable timer that follows the next deadline: it is
// kept while the deadline stays and replaced when it moves.
type deadlineTimer struct {
	due    time.Time
	fired  bool
	cancel workflow.CancelFunc
}

func (t *deadlineTimer) arm(ctx workflow.Context, due time.Time) {
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

// pauseResolveClock stops the resolution clock while the customer owes an
// answer, keeping the counted time that is left.
func (wf *complaint) pauseResolveClock(now time.Time) {
	if wf.resolvePaused {
		return
	}
	wf.resolvePaused = true
	if wf.state.ResolveDueAt != nil {
		wf.resolveLeft = wf.clock.Between(now, *wf.state.ResolveDueAt)
		wf.state.ResolveDueAt = nil
	}
}

// resumeResolveClock restarts a paused resolution clock with the time that
// was left when it stopped.
func (wf *complaint) resumeResolveClock(now time.Time) {
	if !wf.resolvePaused {
		return
	}
	wf.resolvePaused = false
	if wf.resolveLeft > 0 {
		due := wf.clock.Add(now, wf.resolveLeft)
		wf.state.ResolveDueAt = &due
		wf.resolveLeft = 0
	}
}
