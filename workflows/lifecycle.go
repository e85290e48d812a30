package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
)

// The second half of a complaint's life: resolution, the customer's say,
// closing, and the satisfaction survey.
const (
	ResolveUpdate       = "resolve"
	CustomerReplyUpdate = "customer_reply"
	ConfirmUpdate       = "confirm"
	ReopenUpdate        = "reopen"
	AnswerSurveyUpdate  = "answer_survey"
)

// ErrGone refuses a survey answer whose survey was answered or expired.
const ErrGone = "Gone"

// ResolveInput settles the complaint.
type ResolveInput struct {
	Actor string `json:"actor"`
	Attribution
	Type         string                `json:"resolution_type"`
	Summary      string                `json:"summary"`
	RootCause    string                `json:"root_cause"`
	Compensation *redress.Compensation `json:"compensation,omitempty"`
}

// CustomerMessageInput is the customer's reply, or their reason to reopen.
type CustomerMessageInput struct {
	Message string `json:"message"`
	// Via is how the customer sent it when not through their link
	// (redress.ByCustomerMail); the timeline records it as the maker.
	Via string `json:"via,omitempty"`
}

func (in CustomerMessageInput) channel() string { return in.Via }

// SurveyAnswer is the customer's satisfaction score.
type SurveyAnswer struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// lowScore and below triggers a win-back.
const lowScore = 2

func (wf *complaint) registerLifecycle(ctx workflow.Context) error {
	return firstError(
		action(ctx, wf, ResolveUpdate, func(in ResolveInput) error {
			return firstError(required("resolve", in.Summary), wf.allow("resolve", redress.ActionResolve.AllowedIn()...))
		}, wf.resolveComplaint),
		action(ctx, wf, CustomerReplyUpdate, func(in CustomerMessageInput) error {
			return firstError(required("reply to", in.Message), wf.allow("reply to", redress.OpenStatuses...))
		}, wf.customerReply),
		bareAction(ctx, wf, ConfirmUpdate, func() error {
			return wf.allow("confirm the resolution of", redress.StatusResolved)
		}, wf.confirm),
		action(ctx, wf, ReopenUpdate, func(in CustomerMessageInput) error {
			return firstError(required("reopen", in.Message), wf.allow("reopen", redress.StatusResolved))
		}, wf.reopen),
		action(ctx, wf, AnswerSurveyUpdate, func(in SurveyAnswer) error {
			switch wf.state.Survey.Status {
			case redress.SurveySent, redress.SurveyReminded:
			case redress.SurveyAnswered, redress.SurveyExpired:
				return temporal.NewApplicationError("the survey was already "+wf.state.Survey.Status, ErrGone)
			default:
				return temporal.NewApplicationError("no survey is open for this complaint", ErrStatusConflict)
			}
			if in.Score < 1 || in.Score > 5 {
				return temporal.NewApplicationError("the score must be from 1 to 5", ErrInvalidAction)
			}
			return nil
		}, wf.answerSurvey),
	)
}

// resolveComplaint settles the complaint and opens the customer's window to
// confirm or reopen; silence closes it when the window ends.
func (wf *complaint) resolveComplaint(ctx workflow.Context, in ResolveInput) (redress.State, error) {
	if wf.state.Status == redress.StatusReceived || wf.state.Status == redress.StatusReopened {
		wf.markAcknowledged(ctx, in.Actor)
	}
	now := workflow.Now(ctx).UTC()
	wf.stopAckClock()
	wf.stopWaitingClocks()
	wf.state.ResolveDueAt, wf.book.ResolvePaused, wf.book.ResolveLeft = nil, false, 0
	wf.state.ResolvePausedAt, wf.state.ResolveLeftSeconds = nil, 0
	wf.state.Status = redress.StatusResolved
	wf.state.ResolvedAt = &now
	wf.state.Resolution = &redress.Resolution{Type: in.Type, Summary: in.Summary, RootCause: in.RootCause, Compensation: in.Compensation}
	wf.scheduleFollowUp(ctx, now)
	reopenBy := now.Add(wf.in.Policy.ReopenWithin.D())
	wf.book.ReopenDueAt = &reopenBy
	detail := fmt.Sprintf("Resolved (%s): %s", in.Type, in.Summary)
	if c := in.Compensation; c != nil && c.Amount != 0 {
		detail += fmt.Sprintf("; compensation %.2f %s", c.Amount, c.Currency)
	}
	if c := in.Compensation; c != nil && c.Points > 0 {
		detail += fmt.Sprintf("; %d loyalty points", c.Points)
	}
	wf.note(ctx, in.Actor, redress.KindResolved, detail)
	wf.note(ctx, in.Actor, redress.KindRootCause, "Root cause: "+in.RootCause)
	data := map[string]any{"resolution_type": in.Type, "summary": in.Summary, "reopen_until": reopenBy.Format(time.RFC3339)}
	if c := in.Compensation; c != nil {
		compensation := map[string]any{"amount": c.Amount, "currency": c.Currency}
		if c.Points > 0 {
			compensation["points"] = c.Points
		}
		data["compensation"] = compensation
	}
	wf.emit(ctx, redress.EventResolved, data)
	return wf.state, wf.commit(ctx)
}

// customerReply records the customer's answer; it ends waiting on the
// customer, so the paused resolution clock resumes with the time it had left.
func (wf *complaint) customerReply(ctx workflow.Context, in CustomerMessageInput) (redress.State, error) {
	if wf.state.Status == redress.StatusWaitingOnCustomer {
		wf.resumeResolveClock(workflow.Now(ctx))
		wf.state.Status = redress.StatusInProgress
	}
	wf.stopWaitingClocks()
	wf.note(ctx, "customer", redress.KindCustomerReply, in.Message)
	wf.emit(ctx, redress.EventCustomerReplied, map[string]any{"message": in.Message})
	return wf.state, wf.commit(ctx)
}

func (wf *complaint) confirm(ctx workflow.Context) (redress.State, error) {
	wf.close(ctx, "customer", "The customer confirmed the resolution")
	return wf.state, wf.commit(ctx)
}

// reopen takes the complaint back: the SLA clocks start afresh, and a second
// reopen escalates and triggers a win-back.
func (wf *complaint) reopen(ctx workflow.Context, in CustomerMessageInput) (redress.State, error) {
	now := workflow.Now(ctx)
	wf.book.Reopens++
	wf.book.ReopenDueAt = nil
	wf.state.Status = redress.StatusReopened
	wf.state.ResolvedAt, wf.state.Resolution = nil, nil
	wf.cancelFollowUp()
	wf.openAckWindow(now)
	resolveDue := wf.clock.Add(now, wf.sla().ResolveWithin.D())
	wf.state.ResolveDueAt = &resolveDue
	wf.note(ctx, "customer", redress.KindReopened, "Reopened by the customer: "+in.Message)
	wf.emit(ctx, redress.EventReopened, map[string]any{"reason": in.Message, "reopen_count": wf.book.Reopens})
	if wf.book.Reopens >= 2 {
		if wf.state.EscalationLevel < redress.MaxEscalationLevel {
			wf.escalate(ctx, "system", "reopened a second time")
		}
		wf.triggerWinback("the complaint was reopened a second time")
	}
	return wf.state, wf.commit(ctx)
}

// closeSilently closes a resolved complaint whose customer did not answer
// within the reopen window.
func (wf *complaint) closeSilently(ctx workflow.Context) error {
	wf.close(ctx, "system", "Closed: the customer did not reopen within "+wf.in.Policy.ReopenWithin.String())
	return wf.commit(ctx)
}

// close ends the complaint and sends the satisfaction survey.
func (wf *complaint) close(ctx workflow.Context, actor, detail string) {
	now := workflow.Now(ctx).UTC()
	wf.book.ReopenDueAt = nil
	wf.state.Status = redress.StatusClosed
	wf.state.ClosedAt = &now
	wf.note(ctx, actor, redress.KindClosed, detail)
	wf.emit(ctx, redress.EventClosed, nil)

	wf.book.SurveyRound++
	wf.state.Survey = redress.Survey{Status: redress.SurveySent}
	remind, expire := now.Add(wf.in.Policy.Survey.RemindAfter.D()), now.Add(wf.in.Policy.Survey.ExpireAfter.D())
	wf.book.SurveyRemindAt, wf.book.SurveyExpireAt = &remind, &expire
	wf.note(ctx, "system", redress.KindSurveySent, "Satisfaction survey sent")
	wf.emit(ctx, redress.EventSurveySent, map[string]any{"expires_at": expire.Format(time.RFC3339)})
	wf.pending.SurveyRound = wf.book.SurveyRound
}

func (wf *complaint) remindSurvey(ctx workflow.Context) error {
	wf.book.SurveyRemindAt = nil
	wf.state.Survey.Status = redress.SurveyReminded
	wf.note(ctx, "system", redress.KindSurveyReminded, "Survey reminder sent")
	wf.emit(ctx, redress.EventSurveyReminded, map[string]any{"expires_at": wf.book.SurveyExpireAt.Format(time.RFC3339)})
	wf.pending.SurveyRound = wf.book.SurveyRound
	return wf.commit(ctx)
}

func (wf *complaint) expireSurvey(ctx workflow.Context) error {
	wf.book.SurveyRemindAt, wf.book.SurveyExpireAt = nil, nil
	wf.state.Survey.Status = redress.SurveyExpired
	wf.note(ctx, "system", redress.KindSurveyExpired, "The survey expired unanswered")
	wf.emit(ctx, redress.EventSurveyExpired, nil)
	wf.done = true
	return wf.commit(ctx)
}

func (wf *complaint) answerSurvey(ctx workflow.Context, in SurveyAnswer) (redress.State, error) {
	wf.book.SurveyRemindAt, wf.book.SurveyExpireAt = nil, nil
	score := in.Score
	wf.state.Survey = redress.Survey{Status: redress.SurveyAnswered, Score: &score, Comment: in.Comment}
	detail := fmt.Sprintf("Satisfaction %d/5", in.Score)
	if c := strings.TrimSpace(in.Comment); c != "" {
		detail += ": " + c
	}
	wf.note(ctx, "customer", redress.KindSurveyAnswered, detail)
	wf.emit(ctx, redress.EventSurveyAnswered, map[string]any{"score": in.Score, "comment": in.Comment})
	if in.Score <= lowScore {
		wf.triggerWinback(fmt.Sprintf("satisfaction score %d", in.Score))
	}
	wf.done = true
	return wf.state, wf.commit(ctx)
}
