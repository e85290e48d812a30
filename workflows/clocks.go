package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
)

// deadline is what a clock is for. Deadlines are told apart by what they
// are, never by when they fall: several may fall on one instant, and then
// each fires once, in the order of this list.
type deadline int

const (
	ackWarning      deadline = iota // the assignee is warned
	ackBreach                       // nobody acknowledged in time
	resolveBreach                   // not resolved in time
	reopenWindowEnd                 // the customer neither confirmed nor reopened
	surveyReminder
	surveyExpiry
	waitingReminder // the customer owes an answer: remind them once
	waitingClose    // and never answered: resolve as no_response
	followUpDue     // the account team follows the resolution up
)

var deadlines = []deadline{ackWarning, ackBreach, resolveBreach, waitingReminder, waitingClose, reopenWindowEnd,
	surveyReminder, surveyExpiry, followUpDue}

// dueAt is when a deadline falls, or nil when its clock is not running.
func (wf *complaint) dueAt(d deadline) *time.Time {
	switch d {
	case ackWarning:
		return wf.book.AckWarnAt
	case ackBreach:
		return wf.state.AckDueAt
	case resolveBreach:
		return wf.state.ResolveDueAt
	case reopenWindowEnd:
		return wf.book.ReopenDueAt
	case surveyReminder:
		return wf.book.SurveyRemindAt
	case waitingReminder:
		return wf.book.WaitingRemindAt
	case waitingClose:
		return wf.book.WaitingCloseAt
	case followUpDue:
		return wf.book.FollowUpAt
	default:
		return wf.book.SurveyExpireAt
	}
}

// fire acts on a deadline that fell due at at. Each handler stops or moves
// its own deadline past now before anything that blocks, so a deadline never
// fires twice.
func (wf *complaint) fire(ctx workflow.Context, d deadline, at time.Time) error {
	switch d {
	case ackWarning:
		return wf.warnAck(ctx)
	case ackBreach:
		return wf.breachAck(ctx, at)
	case resolveBreach:
		return wf.breachResolve(ctx, at)
	case reopenWindowEnd:
		return wf.closeSilently(ctx)
	case surveyReminder:
		return wf.remindSurvey(ctx)
	case waitingReminder:
		return wf.remindWaiting(ctx)
	case waitingClose:
		return wf.closeForNoResponse(ctx)
	case followUpDue:
		return wf.tellFollowUpDue(ctx)
	default:
		return wf.expireSurvey(ctx)
	}
}

// firstDue returns the deadline that falls first, ties going to the one
// earlier in the list.
func (wf *complaint) firstDue() (deadline, time.Time, bool) {
	var first deadline
	var at time.Time
	found := false
	for _, d := range deadlines {
		if t := wf.dueAt(d); t != nil && (!found || t.Before(at)) {
			first, at, found = d, *t, true
		}
	}
	return first, at, found
}

// nextDeadline is the instant the run loop sleeps until; ok is false when
// no clock runs.
func (wf *complaint) nextDeadline() (time.Time, bool) {
	_, at, ok := wf.firstDue()
	return at, ok
}

// catchUp fires, one at a time and in order, every deadline that has fallen
// due by now, each followed by the win-back it triggers. The run loop calls
// it when it wakes, and every action calls it before it acts, so an action
// never lands ahead of a deadline that came first, whichever of the two the
// workflow task happens to see first. Callers hold the step lock.
func (wf *complaint) catchUp(ctx workflow.Context) error {
	for {
		d, at, ok := wf.firstDue()
		if !ok || at.After(workflow.Now(ctx)) {
			return nil
		}
		if err := wf.fire(ctx, d, at); err != nil {
			return err
		}
		if err := wf.startTriggeredWinback(ctx); err != nil {
			return err
		}
	}
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
	wf.book.AckWarnAt = wf.ackWarningTime(now)
}

// stopAckClock ends the acknowledgement window: someone acknowledged.
func (wf *complaint) stopAckClock() {
	wf.state.AckDueAt, wf.book.AckWarnAt = nil, nil
}

func (wf *complaint) warnAck(ctx workflow.Context) error {
	wf.book.AckWarnAt = nil
	who := wf.state.Assignee
	if who == "" {
		who = "the unassigned queue"
	}
	wf.note(ctx, "system", redress.KindAckWarning, fmt.Sprintf("Acknowledgement due at %s; warned %s", wf.state.AckDueAt.Format(time.RFC3339), who))
	wf.emit(ctx, redress.EventAckWarning, map[string]any{
		"assignee": wf.state.Assignee, "ack_due_at": wf.state.AckDueAt.Format(time.RFC3339)})
	return wf.commit(ctx)
}

func (wf *complaint) breachAck(ctx workflow.Context, at time.Time) error {
	wf.stopAckClock()
	if wf.breach(ctx, redress.BreachAcknowledgement) {
		wf.openAckWindow(wf.nextWindowStart(ctx, at))
	}
	return wf.commit(ctx)
}

func (wf *complaint) breachResolve(ctx workflow.Context, at time.Time) error {
	wf.state.ResolveDueAt = nil
	if wf.breach(ctx, redress.BreachResolution) {
		due := wf.clock.Add(wf.nextWindowStart(ctx, at), wf.sla().ResolveWithin.D())
		wf.state.ResolveDueAt = &due
	}
	return wf.commit(ctx)
}

// windowsFromTheBreachChange versions where the window after a breach
// starts: at the breached deadline, so that workers that were down, or a
// lost workflow task, do not push the complaint's next deadline back by the
// delay. Before, it started when the breach's step ran.
const windowsFromTheBreachChange = "windows-from-the-breach"

// nextWindowStart is where the window that follows a breach at at starts.
func (wf *complaint) nextWindowStart(ctx workflow.Context, at time.Time) time.Time {
	if workflow.GetVersion(ctx, windowsFromTheBreachChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return workflow.Now(ctx)
	}
	return at
}

// breach marks an SLA breach and escalates one level. It reports whether
// the complaint moved up, so that a fresh window starts at the new level; at
// the top of the ladder the breach is recorded and no window follows.
func (wf *complaint) breach(ctx workflow.Context, reason string) bool {
	wf.state.SLABreached = true
	wf.note(ctx, "system", redress.KindSLABreached, "SLA breached: "+reason)
	wf.pending.Timeline[len(wf.pending.Timeline)-1].Breach = reason
	// Complaints that breached before win-backs existed replay without one.
	if wf.in.CustomerTier.Premium() &&
		workflow.GetVersion(ctx, "winback-on-premium-breach", workflow.DefaultVersion, 1) >= 1 {
		wf.triggerWinback("SLA breach for a " + string(wf.in.CustomerTier) + " customer")
	}
	if wf.state.EscalationLevel >= redress.MaxEscalationLevel {
		wf.note(ctx, "system", redress.KindEscalationExhausted, "Already at the top of the escalation ladder; "+wf.in.Policy.EscalationStep(redress.MaxEscalationLevel).Notify+" were told before")
		return false
	}
	wf.escalate(ctx, "system", reason)
	return true
}

// escalate moves the complaint one level up and notifies that level.
func (wf *complaint) escalate(ctx workflow.Context, actor, reason string) {
	wf.state.EscalationLevel++
	step := wf.in.Policy.EscalationStep(wf.state.EscalationLevel)
	wf.note(ctx, actor, redress.KindEscalated, fmt.Sprintf("Escalated to level %d", step.Level))
	wf.note(ctx, actor, redress.KindEscalationReason, fmt.Sprintf("%s notified: %s", step.Notify, reason))
	wf.emit(ctx, redress.EventEscalated, map[string]any{"level": step.Level, "reason": reason, "notify": step.Notify})
}

// deadlineTimer is the one durable timer that wakes the run loop at the
// next deadline. It is kept while that instant stays the next one and
// replaced when it moves.
type deadlineTimer struct {
	due    time.Time
	fired  bool
	cancel workflow.CancelFunc
}

// arm makes the timer wake the loop at due (ok=false: no deadline). The loop
// has fired everything due by now, so due always lies ahead.
func (t *deadlineTimer) arm(ctx workflow.Context, due time.Time, ok bool) {
	if ok && t.cancel != nil && !t.fired && due.Equal(t.due) {
		return
	}
	t.stop()
	if !ok {
		return
	}
	timerCtx, cancel := workflow.WithCancel(ctx)
	t.due, t.cancel = due, cancel
	f := workflow.NewTimer(timerCtx, due.Sub(workflow.Now(ctx)))
	workflow.Go(ctx, func(gctx workflow.Context) {
		if f.Get(gctx, nil) == nil && t.due.Equal(due) {
			t.fired = true
		}
	})
}

func (t *deadlineTimer) stop() {
	if t.cancel != nil {
		t.cancel()
	}
	t.due, t.fired, t.cancel = time.Time{}, false, nil
}

// waitingClocksChange is where waiting on the customer began to run the
// policy's reminder and close clocks.
const waitingClocksChange = "waiting-clocks"

// startWaitingClocks starts, or starts again on a new request to the
// customer, the clocks of waiting on their answer.
func (wf *complaint) startWaitingClocks(ctx workflow.Context, now time.Time) {
	w := wf.in.Policy.Waiting
	if w == (redress.WaitingPolicy{}) || workflow.GetVersion(ctx, waitingClocksChange, workflow.DefaultVersion, 1) < 1 {
		return
	}
	remind, closeAt := now.Add(w.RemindAfter.D()), now.Add(w.CloseAfter.D())
	wf.book.WaitingRemindAt, wf.book.WaitingCloseAt = &remind, &closeAt
}

// stopWaitingClocks: the complaint no longer waits on the customer.
func (wf *complaint) stopWaitingClocks() { wf.book.WaitingRemindAt, wf.book.WaitingCloseAt = nil, nil }

// remindWaiting tells the customer, once, that their answer is awaited.
func (wf *complaint) remindWaiting(ctx workflow.Context) error {
	wf.book.WaitingRemindAt = nil
	wf.note(ctx, "system", redress.KindWaitingReminded, "The customer was reminded that we wait for their answer")
	wf.emit(ctx, redress.EventWaitingReminded, map[string]any{"close_after": wf.in.Policy.Waiting.CloseAfter.String()})
	return wf.commit(ctx)
}

// closeForNoResponse resolves a complaint whose customer never answered;
// it then closes as any resolved complaint does, unless they reopen it.
func (wf *complaint) closeForNoResponse(ctx workflow.Context) error {
	wf.stopWaitingClocks()
	_, err := wf.resolveComplaint(ctx, ResolveInput{Actor: "system", Type: redress.ResolvedNoResponse, RootCause: "other",
		Summary: "No answer from the customer within " + wf.in.Policy.Waiting.CloseAfter.String()})
	return err
}

// pauseResolveClock stops the resolution clock while the customer owes an
// answer, keeping the counted time that is left.
func (wf *complaint) pauseResolveClock(now time.Time) {
	if wf.book.ResolvePaused {
		return
	}
	wf.book.ResolvePaused = true
	if wf.state.ResolveDueAt != nil {
		wf.book.ResolveLeft = wf.clock.Between(now, *wf.state.ResolveDueAt)
		wf.state.ResolveDueAt = nil
		wf.state.ResolvePausedAt, wf.state.ResolveLeftSeconds = &now, int64(wf.book.ResolveLeft.Seconds())
	}
}

// resumeResolveClock restarts a paused resolution clock with the time that
// was left when it stopped.
func (wf *complaint) resumeResolveClock(now time.Time) {
	if !wf.book.ResolvePaused {
		return
	}
	wf.book.ResolvePaused = false
	wf.state.ResolvePausedAt, wf.state.ResolveLeftSeconds = nil, 0
	if wf.book.ResolveLeft > 0 {
		due := wf.clock.Add(now, wf.book.ResolveLeft)
		wf.state.ResolveDueAt = &due
		wf.book.ResolveLeft = 0
	}
}
