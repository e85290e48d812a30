package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

var resolution = workflows.ResolveInput{Actor: "ana", Type: "replacement", Summary: "A new kettle ships today",
	RootCause: "product_defect", Compensation: &redress.Compensation{Amount: 50, Currency: "CNY"}}

// run executes the workflow to its own end.
func (h *harness) run() {
	h.env.ExecuteWorkflow(workflows.Complaint, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("the workflow did not finish")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
}

// expectWinback mocks the win-back child and returns what it was started with.
func (h *harness) expectWinback() *[]workflows.WinbackInput {
	var started []workflows.WinbackInput
	h.env.OnWorkflow("Winback", mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in workflows.WinbackInput) (redress.Winback, error) {
			started = append(started, in)
			return redress.Winback{}, nil
		})
	return &started
}

func TestConfirmClosesAndSurveyAnswered(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	winbacks := h.expectWinback()
	h.update(time.Hour, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "ana"})
	resolve := h.update(2*time.Hour, workflows.ResolveUpdate, resolution)
	confirm := h.update(3*time.Hour, workflows.ConfirmUpdate, nil)
	answer := h.update(4*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 5, Comment: "Great"})
	h.run()

	for _, up := range []func() error{resolve, confirm, answer} {
		if err := up(); err != nil {
			t.Fatal(err)
		}
	}
	s := h.store.last()
	if s.Status != redress.StatusClosed || s.ClosedAt == nil || !s.ClosedAt.Equal(start.Add(3*time.Hour)) {
		t.Errorf("closed: %+v", s)
	}
	if s.Survey.Status != redress.SurveyAnswered || *s.Survey.Score != 5 || s.Survey.Comment != "Great" {
		t.Errorf("survey = %+v", s.Survey)
	}
	if s.Resolution == nil || s.Resolution.Type != "replacement" || s.Resolution.Compensation.Amount != 50 {
		t.Errorf("resolution = %+v", s.Resolution)
	}
	if got := strings.Join(h.store.timeline(), ","); got != "acknowledged,resolved,root_cause,closed,survey_sent,survey_answered" {
		t.Errorf("timeline = %s", got)
	}
	sent := h.store.events(redress.EventSurveySent)
	if len(sent) != 1 || sent[0].Data["survey_round"] != 1 || sent[0].Data["survey_url"] != nil || h.store.surveyHash == nil {
		t.Errorf("survey sent = %+v; the round, not the link, and the token's hash come from the activity", sent)
	}
	if len(*winbacks) != 0 {
		t.Errorf("a happy customer got a win-back: %+v", *winbacks)
	}
}

func TestSilentCloseThenReminderThenAnswer(t *testing.T) {
	policy := redress.DefaultPolicy() // reopen within 168h, remind after 48h
	h := newHarness(t, redress.P3, policy)
	h.expectWinback()
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	answer := h.update(time.Hour+168*time.Hour+50*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 4})
	h.run()
	if err := answer(); err != nil {
		t.Fatal(err)
	}
	closed := h.store.events(redress.EventClosed)
	if len(closed) != 1 || !closed[0].OccurredAt.Equal(start.Add(169*time.Hour)) {
		t.Errorf("closed events = %+v; want silence to close it when the reopen window ends", closed)
	}
	reminded := h.store.events(redress.EventSurveyReminded)
	if len(reminded) != 1 || !reminded[0].OccurredAt.Equal(start.Add(169*time.Hour+48*time.Hour)) || reminded[0].Data["survey_round"] != 1 {
		t.Errorf("reminders = %+v", reminded)
	}
	if s := h.store.last(); s.Survey.Status != redress.SurveyAnswered || *s.Survey.Score != 4 {
		t.Errorf("survey = %+v", s.Survey)
	}
}

func TestSurveyExpires(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	h.update(2*time.Hour, workflows.ConfirmUpdate, nil)
	h.run()
	expired := h.store.events(redress.EventSurveyExpired)
	if len(expired) != 1 || !expired[0].OccurredAt.Equal(start.Add(2*time.Hour+168*time.Hour)) {
		t.Errorf("expired = %+v", expired)
	}
	if s := h.store.last(); s.Survey.Status != redress.SurveyExpired {
		t.Errorf("survey = %+v", s.Survey)
	}
}

func TestReopenOnceRestartsClocksThenReopenTwiceEscalatesAndWinsBack(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	winbacks := h.expectWinback()
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	confirmEarly := h.update(90*time.Minute, workflows.ReopenUpdate, workflows.CustomerMessageInput{})
	reopen1 := h.update(2*time.Hour, workflows.ReopenUpdate, workflows.CustomerMessageInput{Message: "Still broken"})
	afterFirst := h.stateAt(2*time.Hour + time.Minute)
	ack := h.update(3*time.Hour, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "bo"})
	afterAck := h.stateAt(3*time.Hour + time.Minute)
	h.update(4*time.Hour, workflows.ResolveUpdate, resolution)
	reopen2 := h.update(5*time.Hour, workflows.ReopenUpdate, workflows.CustomerMessageInput{Message: "Broken again"})
	afterSecond := h.stateAt(5*time.Hour + time.Minute)
	h.runUntil(6 * time.Hour)

	if err := confirmEarly(); !refusedAs(err, workflows.ErrInvalidAction) {
		t.Errorf("reopen without a reason: %v", err)
	}
	for _, up := range []func() error{reopen1, ack, reopen2} {
		if err := up(); err != nil {
			t.Fatal(err)
		}
	}
	if afterFirst.Status != redress.StatusReopened || afterFirst.ResolvedAt != nil || afterFirst.EscalationLevel != 0 ||
		afterFirst.AckDueAt == nil || !afterFirst.AckDueAt.Equal(start.Add(26*time.Hour)) ||
		afterFirst.ResolveDueAt == nil || !afterFirst.ResolveDueAt.Equal(start.Add(122*time.Hour)) {
		t.Errorf("after the first reopen: %+v", afterFirst)
	}
	if afterAck.Status != redress.StatusInProgress {
		t.Errorf("acknowledging a reopened complaint: status %s, want in_progress", afterAck.Status)
	}
	if afterSecond.EscalationLevel != 1 {
		t.Errorf("after the second reopen: level %d, want 1", afterSecond.EscalationLevel)
	}
	if len(*winbacks) != 1 || (*winbacks)[0].Reason != "the complaint was reopened a second time" || (*winbacks)[0].CustomerID != "u1" {
		t.Errorf("win-backs = %+v", *winbacks)
	}
	if n := len(h.store.events(redress.EventReopened)); n != 2 {
		t.Errorf("%d reopened events", n)
	}
}

func TestLowScoreTriggersWinback(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	winbacks := h.expectWinback()
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	h.update(2*time.Hour, workflows.ConfirmUpdate, nil)
	bad := h.update(3*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 9})
	low := h.update(4*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 2, Comment: "meh"})
	h.run()
	if err := bad(); !refusedAs(err, workflows.ErrInvalidAction) {
		t.Errorf("score 9: %v", err)
	}
	if err := low(); err != nil {
		t.Fatal(err)
	}
	if len(*winbacks) != 1 || (*winbacks)[0].Reason != "satisfaction score 2" {
		t.Errorf("win-backs = %+v", *winbacks)
	}
	if got := h.store.timeline(); got[len(got)-1] != "winback_started" {
		t.Errorf("timeline = %v", got)
	}
}

func TestPremiumBreachTriggersWinbackOnce(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	h.in.CustomerTier = redress.TierDiamond
	winbacks := h.expectWinback()
	h.runUntil(50 * time.Hour) // two breaches
	if len(*winbacks) != 1 || !strings.Contains((*winbacks)[0].Reason, "diamond") {
		t.Errorf("win-backs = %+v", *winbacks)
	}
}

func TestCustomerReplyResumesResolutionClock(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	h.update(time.Hour, workflows.ProgressUpdate, workflows.ProgressInput{Actor: "ana", Message: "Photo please", WaitingOnCustomer: true})
	reply := h.update(100*time.Hour, workflows.CustomerReplyUpdate, workflows.CustomerMessageInput{Message: "Here it is"})
	state := h.stateAt(101 * time.Hour)
	h.runUntil(102 * time.Hour)
	if err := reply(); err != nil {
		t.Fatal(err)
	}
	// 1h of 120h was used: 119h left from 100h.
	if state.Status != redress.StatusInProgress || state.ResolveDueAt == nil || !state.ResolveDueAt.Equal(start.Add(219*time.Hour)) {
		t.Errorf("after the reply: %+v", state)
	}
}

func TestActionsRefusedAfterResolution(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	again := h.update(2*time.Hour, workflows.ResolveUpdate, resolution)
	reply := h.update(3*time.Hour, workflows.CustomerReplyUpdate, workflows.CustomerMessageInput{Message: "hi"})
	survey := h.update(4*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 3})
	h.runUntil(5 * time.Hour)
	for name, err := range map[string]error{"resolve twice": again(), "reply": reply(), "survey before close": survey()} {
		if !refusedAs(err, workflows.ErrStatusConflict) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func newWinbackEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *memoryStore) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	return h.env, h.store
}

func winbackInput(tier redress.Tier) workflows.WinbackInput {
	return workflows.WinbackInput{CustomerID: "u1", Tier: tier, ComplaintID: "c1", Reason: "satisfaction score 1",
		Policy: redress.DefaultPolicy().Winback}
}

func TestWinbackWonByPurchaseInTime(t *testing.T) {
	env, store := newWinbackEnv(t)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.PurchaseSignal, redress.Purchase{Amount: 99, Currency: "CNY", At: start.Add(10 * 24 * time.Hour)})
	}, 10*24*time.Hour)
	env.ExecuteWorkflow(workflows.Winback, winbackInput(redress.TierGold))
	var wb redress.Winback
	if err := env.GetWorkflowResult(&wb); err != nil {
		t.Fatal(err)
	}
	if wb.Outcome != redress.WinbackWonBack || wb.Offer != "20% coupon, with a call from the account team" {
		t.Errorf("result = %+v", wb)
	}
	if len(store.winbacks) != 2 || store.winbacks[1].Winback.Outcome != redress.WinbackWonBack {
		t.Fatalf("projected = %+v", store.winbacks)
	}
	var types []string
	for _, w := range store.winbacks {
		for _, e := range w.Events {
			types = append(types, e.Type)
		}
	}
	if got := strings.Join(types, ","); got != "winback.offered,winback.follow_up,winback.won_back" {
		t.Errorf("events = %s", got)
	}
}

func TestWinbackLostWithoutPurchase(t *testing.T) {
	env, store := newWinbackEnv(t)
	env.ExecuteWorkflow(workflows.Winback, winbackInput(redress.TierDiamond))
	var wb redress.Winback
	if err := env.GetWorkflowResult(&wb); err != nil {
		t.Fatal(err)
	}
	if wb.Outcome != redress.WinbackLost || wb.Offer != "50 CNY credit, with a call from the account team" {
		t.Errorf("result = %+v", wb)
	}
	if last := store.winbacks[len(store.winbacks)-1]; last.Events[0].Type != redress.EventWinbackLost {
		t.Errorf("last event = %+v", last.Events)
	}
}

func TestWinbackCountsAStoredPurchaseWhoseSignalWasLost(t *testing.T) {
	env, store := newWinbackEnv(t)
	bought := start.Add(24 * time.Hour)
	store.purchasedAt = &bought
	env.ExecuteWorkflow(workflows.Winback, winbackInput(redress.TierStandard))
	var wb redress.Winback
	if err := env.GetWorkflowResult(&wb); err != nil {
		t.Fatal(err)
	}
	if wb.Outcome != redress.WinbackWonBack {
		t.Errorf("result = %+v", wb)
	}
}

// A purchase wins a customer back by one rule however it arrives: made
// between the offer and winback.within after it. A backdated purchase
// signalled during the win-back, and one stored after its window, do not.
func TestWinbackCountsOnlyAPurchaseWithinItsWindow(t *testing.T) {
	within := redress.DefaultPolicy().Winback.Within.D()
	for _, tt := range []struct {
		name    string
		signal  *time.Time // a purchase signalled 1 day in, made at
		stored  *time.Time // a purchase stored, its signal lost
		outcome string
	}{
		{"backdated purchase signalled", ptr(start.Add(-24 * time.Hour)), nil, redress.WinbackLost},
		{"purchase signalled within the window", ptr(start.Add(24 * time.Hour)), nil, redress.WinbackWonBack},
		{"backdated, then a real one stored", ptr(start.Add(-time.Hour)), ptr(start.Add(within)), redress.WinbackWonBack},
		{"stored after the window", nil, ptr(start.Add(within + time.Second)), redress.WinbackLost},
		{"stored before the offer", nil, ptr(start.Add(-time.Second)), redress.WinbackLost},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, store := newWinbackEnv(t)
			store.purchasedAt = tt.stored
			if tt.signal != nil {
				env.RegisterDelayedCallback(func() {
					env.SignalWorkflow(workflows.PurchaseSignal, redress.Purchase{Amount: 10, Currency: "CNY", At: *tt.signal})
				}, 24*time.Hour)
			}
			env.ExecuteWorkflow(workflows.Winback, winbackInput(redress.TierSilver))
			var wb redress.Winback
			if err := env.GetWorkflowResult(&wb); err != nil {
				t.Fatal(err)
			}
			if wb.Outcome != tt.outcome {
				t.Errorf("outcome = %s, want %s", wb.Outcome, tt.outcome)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// A customer who owes an answer is reminded once after waiting.remind_after;
// after waiting.close_after without one the complaint is resolved as
// no_response and closes as any resolved complaint does. An answer stops
// both clocks.
func TestWaitingCustomerIsRemindedThenResolved(t *testing.T) {
	policy := redress.DefaultPolicy() // remind after 72h, resolve after 168h, reopen within 168h
	h := newHarness(t, redress.P3, policy)
	h.update(time.Hour, workflows.ProgressUpdate, workflows.ProgressInput{Actor: "ana", Message: "Photo?", WaitingOnCustomer: true})
	reminded := h.stateAt(73*time.Hour + time.Minute)
	resolved := h.stateAt(169*time.Hour + time.Minute)
	closed := h.stateAt(337*time.Hour + time.Minute)
	h.runUntil(338 * time.Hour)
	if reminded.Status != redress.StatusWaitingOnCustomer {
		t.Errorf("after the reminder: %s", reminded.Status)
	}
	if resolved.Status != redress.StatusResolved || resolved.Resolution == nil || resolved.Resolution.Type != redress.ResolvedNoResponse {
		t.Errorf("after waiting.close_after: %s %+v; want resolved as no_response", resolved.Status, resolved.Resolution)
	}
	if closed.Status != redress.StatusClosed {
		t.Errorf("after the reopen window: %s", closed.Status)
	}
	if got := strings.Join(h.store.timeline(), ","); !strings.HasPrefix(got, "acknowledged,update,waiting_reminded,resolved,root_cause,closed,survey_sent") {
		t.Errorf("timeline %s", got)
	}
	n := 0
	for _, ch := range h.store.changes {
		for _, e := range ch.Events {
			if e.Type == redress.EventWaitingReminded {
				n++
			}
		}
	}
	if n != 1 {
		t.Errorf("%d reminders sent, want 1", n)
	}

	// The customer answers after the reminder: nothing more happens.
	h2 := newHarness(t, redress.P3, policy)
	h2.update(time.Hour, workflows.ProgressUpdate, workflows.ProgressInput{Actor: "ana", Message: "Photo?", WaitingOnCustomer: true})
	h2.update(80*time.Hour, workflows.CustomerReplyUpdate, workflows.CustomerMessageInput{Message: "Here it is"})
	later := h2.stateAt(200 * time.Hour)
	h2.runUntil(201 * time.Hour)
	if later.Status != redress.StatusInProgress {
		t.Errorf("answered, then %s", later.Status)
	}
}
