package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/worker"
	"github.com/redress-dev/redress/workflows"
)

// memoryStore records what the workflow projects, as PostgreSQL would: a
// step's state counts only when its seq is above the last one's (the seq
// guard of ApplyChange), and a timeline line is kept once per seq.
type memoryStore struct {
	mu          sync.Mutex
	changes     []redress.Change // every write, in order
	state       redress.State    // the state of the highest seq written
	seq         int
	winbacks    []redress.WinbackChange
	surveyHash  []byte
	purchasedAt *time.Time
	risks       []redress.ChurnRisk
	coolDown    time.Duration // the last scoring's
	campaigns   []recordedCampaign
	// scoringFails is how many scorings fail before one succeeds: the
	// database away.
	scoringFails int
	// winbackRunning: a win-back under way for the customer, as
	// PostgreSQL records it.
	winbackRunning bool
	// couponRedeemed: the win-back's coupon redeemed, as PostgreSQL
	// records it.
	couponRedeemed bool
}

type recordedCampaign struct {
	id     string
	dryRun bool
	result json.RawMessage
}

func (s *memoryStore) ApplyChange(_ context.Context, ch redress.Change, surveyHash []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes = append(s.changes, ch)
	if ch.Seq > s.seq {
		s.seq, s.state = ch.Seq, ch.State
	}
	if surveyHash != nil {
		s.surveyHash = surveyHash
	}
	return nil
}

func (s *memoryStore) ApplyWinback(_ context.Context, ch redress.WinbackChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.winbacks = append(s.winbacks, ch)
	return nil
}

func (s *memoryStore) PurchasedSince(_ context.Context, _ string, t time.Time) (bool, error) {
	return s.purchasedAt != nil && !s.purchasedAt.Before(t), nil
}

func (s *memoryStore) PurchasedWithin(_ context.Context, _ string, from, until time.Time) (bool, error) {
	return s.purchasedAt != nil && !s.purchasedAt.Before(from) && !s.purchasedAt.After(until), nil
}

func (s *memoryStore) RecordCampaign(_ context.Context, id string, dryRun bool, result json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.campaigns = append(s.campaigns, recordedCampaign{id, dryRun, result})
	return nil
}

func (s *memoryStore) RiskiestCustomers(_ context.Context, limit int, coolDown time.Duration) ([]redress.ChurnRisk, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.coolDown = coolDown
	if s.scoringFails > 0 {
		s.scoringFails--
		return nil, errors.New("connection refused")
	}
	return s.risks[:min(limit, len(s.risks))], nil
}

func (s *memoryStore) CouponRedeemed(context.Context, string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.couponRedeemed, nil
}

func (s *memoryStore) WinbackRunning(context.Context, string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.winbackRunning, nil
}

func (s *memoryStore) last() redress.State { return s.state }

// timeline lists the kinds of the timeline lines kept, in the order they
// were written, once per seq.
func (s *memoryStore) timeline() []string {
	var kinds []string
	kept := map[int]bool{}
	for _, ch := range s.changes {
		first := ch.Seq - len(ch.Timeline) + 1
		for i, e := range ch.Timeline {
			if !kept[first+i] {
				kept[first+i] = true
				kinds = append(kinds, e.Kind)
			}
		}
	}
	return kinds
}

func (s *memoryStore) events(eventType string) []redress.Event {
	var out []redress.Event
	for _, ch := range s.changes {
		for _, e := range ch.Events {
			if e.Type == eventType {
				out = append(out, e)
			}
		}
	}
	return out
}

// start is the complaint's intake time in the tests.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// testingT is what the harness needs of a test: *testing.T or rapid's *T.
type testingT interface {
	Helper()
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// harness runs one complaint workflow in the time-skipping environment.
type harness struct {
	t     testingT
	env   *testsuite.TestWorkflowEnvironment
	store *memoryStore
	in    workflows.ComplaintInput
}

func newHarness(t *testing.T, priority redress.Priority, policy redress.Policy) *harness {
	return newHarnessAt(t, start, priority, redress.TierStandard, policy)
}

// newHarnessAt files the complaint at a given time for a customer of a
// given tier.
func newHarnessAt(t testingT, start time.Time, priority redress.Priority, tier redress.Tier, policy redress.Policy) *harness {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	store := &memoryStore{}
	worker.Register(env, &activities.Activities{Store: store, Tokens: tokens.NewSigner("test-secret", "http://redress.test")})
	sla := policy.SLA[priority]
	ackDue := policy.Clock(priority).Add(start, sla.AckWithin.D())
	resolveDue := policy.Clock(priority).Add(start, sla.ResolveWithin.D())
	in := workflows.ComplaintInput{ComplaintID: "c1", CustomerID: "u1", CustomerTier: tier,
		Category: redress.CategoryDelivery, CreatedAt: start, Policy: policy,
		State: redress.State{Status: redress.StatusReceived, Priority: priority, AckDueAt: &ackDue, ResolveDueAt: &resolveDue}}
	if err := env.SetTypedSearchAttributesOnStart(workflows.SearchAttributes(in)); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, env: env, store: store, in: in}
}

// at schedules fn at the given time after intake.
func (h *harness) at(after time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, after) }

// update sends an action and returns a function that reports its outcome.
func (h *harness) update(after time.Duration, name string, arg any) func() error {
	var outcome error
	done := false
	h.at(after, func() {
		h.env.UpdateWorkflow(name, name+after.String(), &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { outcome, done = err, true },
			OnComplete: func(_ any, err error) { outcome, done = err, true },
		}, arg)
	})
	return func() error {
		if !done {
			h.t.Fatalf("update %s at %s never finished", name, after)
		}
		return outcome
	}
}

// stateAt queries the live state at the given time.
func (h *harness) stateAt(after time.Duration) *redress.State {
	var s redress.State
	h.at(after, func() {
		v, err := h.env.QueryWorkflow(workflows.StateQuery)
		if err != nil {
			h.t.Errorf("query at %s: %v", after, err)
			return
		}
		if err := v.Get(&s); err != nil {
			h.t.Error(err)
		}
	})
	return &s
}

// runUntil runs the workflow and cancels it at the given time: complaints
// live on after the part of their life a test looks at.
func (h *harness) runUntil(end time.Duration) {
	h.at(end, h.env.CancelWorkflow)
	h.env.ExecuteWorkflow(workflows.Complaint, h.in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("the workflow did not finish")
	}
	var canceled *temporal.CanceledError
	if err := h.env.GetWorkflowError(); err != nil && !errors.As(err, &canceled) {
		h.t.Fatalf("workflow failed: %v", err)
	}
}

func refusedAs(err error, errType string) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == errType
}

func TestAcknowledgedInTime(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	ack := h.update(time.Hour, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "ana"})
	state := h.stateAt(100 * time.Hour)
	h.runUntil(101 * time.Hour)

	if err := ack(); err != nil {
		t.Fatalf("acknowledge: %v", err)
	}
	if state.Status != redress.StatusAcknowledged || state.Assignee != "ana" || state.EscalationLevel != 0 || state.SLABreached {
		t.Errorf("state at 100h = %+v", state)
	}
	if state.AcknowledgedAt == nil || !state.AcknowledgedAt.Equal(start.Add(time.Hour)) || state.AckDueAt != nil {
		t.Errorf("acknowledged at %v, ack due %v; want 1h after intake and no ack clock", state.AcknowledgedAt, state.AckDueAt)
	}
	if got := strings.Join(h.store.timeline(), ","); got != "acknowledged" {
		t.Errorf("timeline = %s; no warning, no escalation", got)
	}
	if n := len(h.store.events(redress.EventAcknowledged)); n != 1 {
		t.Errorf("%d acknowledged events, want 1", n)
	}
}

func TestWarnedThenAcknowledged(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	before := h.stateAt(17*time.Hour + 59*time.Minute)
	ack := h.update(20*time.Hour, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "ana"})
	state := h.stateAt(30 * time.Hour)
	h.runUntil(31 * time.Hour)

	if err := ack(); err != nil {
		t.Fatal(err)
	}
	if before.Status != redress.StatusReceived {
		t.Errorf("status before = %s", before.Status)
	}
	warnings := h.store.events(redress.EventAckWarning)
	if len(warnings) != 1 || !warnings[0].OccurredAt.Equal(start.Add(18*time.Hour)) {
		t.Fatalf("warnings = %+v; want one at 75%% of 24h", warnings)
	}
	if state.EscalationLevel != 0 || state.SLABreached {
		t.Errorf("acknowledged after the warning but in time: %+v", state)
	}
	if got := strings.Join(h.store.timeline(), ","); got != "ack_warning,acknowledged" {
		t.Errorf("timeline = %s", got)
	}
}

func TestAckBreachClimbsTheLadder(t *testing.T) {
	policy := redress.DefaultPolicy()
	h := newHarness(t, redress.P3, policy)
	atLevel1 := h.stateAt(24*time.Hour + time.Minute)
	atLevel3 := h.stateAt(95 * time.Hour)
	h.runUntil(119 * time.Hour) // before the 120h resolution deadline

	if atLevel1.EscalationLevel != 1 || !atLevel1.SLABreached {
		t.Errorf("after the first breach: %+v", atLevel1)
	}
	if want := start.Add(48 * time.Hour); atLevel1.AckDueAt == nil || !atLevel1.AckDueAt.Equal(want) {
		t.Errorf("level 1 window ends %v, want a fresh 24h window to %v", atLevel1.AckDueAt, want)
	}
	escalations := h.store.events(redress.EventEscalated)
	if len(escalations) != 3 {
		t.Fatalf("%d escalations, want 3 (levels 1 to 3)", len(escalations))
	}
	for i, e := range escalations {
		level := i + 1
		if e.Data["level"] != level || e.Data["notify"] != policy.EscalationStep(level).Notify ||
			!e.OccurredAt.Equal(start.Add(time.Duration(24*level)*time.Hour)) {
			t.Errorf("escalation %d = %+v", level, e)
		}
	}
	if n := len(h.store.events(redress.EventAckWarning)); n != 4 {
		t.Errorf("%d warnings, want one per window (4)", n)
	}
	if atLevel3.EscalationLevel != 3 || atLevel3.AckDueAt == nil {
		t.Errorf("at 95h: %+v", atLevel3)
	}
	last := h.store.changes[len(h.store.changes)-1]
	if last.State.AckDueAt != nil || last.State.EscalationLevel != 3 {
		t.Errorf("after a breach at the top no window follows: %+v", last.State)
	}
	if got := h.store.timeline(); got[len(got)-1] != "escalation_exhausted" {
		t.Errorf("timeline ends %v", got)
	}
}

func TestP1AcknowledgementWindowIsOneHour(t *testing.T) {
	policy := redress.DefaultPolicy()
	policy.BusinessHours.Enabled = true // P1 counts wall time all the same
	h := newHarness(t, redress.P1, policy)
	h.runUntil(61 * time.Minute)
	esc := h.store.events(redress.EventEscalated)
	if len(esc) != 1 || !esc[0].OccurredAt.Equal(start.Add(time.Hour)) {
		t.Errorf("escalations = %+v, want one at 1h", esc)
	}
	warn := h.store.events(redress.EventAckWarning)
	if len(warn) != 1 || !warn[0].OccurredAt.Equal(start.Add(45*time.Minute)) {
		t.Errorf("warnings = %+v, want one at 45m", warn)
	}
}

func TestBusinessHoursWindowAfterBreach(t *testing.T) {
	policy := redress.DefaultPolicy()
	policy.Timezone = "UTC"
	policy.BusinessHours = redress.BusinessHours{Enabled: true, Days: []string{"mon", "tue", "wed", "thu", "fri"},
		Start: "09:00", End: "18:00"}
	h := newHarness(t, redress.P2, policy) // filed Monday 10:00 UTC
	// 24 business hours from Monday 10:00 end Wednesday 16:00; the next
	// window runs 24 business hours more, over the weekend to Monday 13:00.
	state := h.stateAt(2*24*time.Hour + 6*time.Hour + time.Minute)
	h.runUntil(2*24*time.Hour + 7*time.Hour)
	if !h.in.State.AckDueAt.Equal(time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("first window ends %v", h.in.State.AckDueAt)
	}
	if want := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC); state.AckDueAt == nil || !state.AckDueAt.Equal(want) {
		t.Errorf("second window ends %v, want %v", state.AckDueAt, want)
	}
}

func TestManualEscalation(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	empty := h.update(time.Minute, workflows.EscalateUpdate, workflows.EscalateInput{Actor: "ana"})
	var ups []func() error
	for i := range 3 {
		ups = append(ups, h.update(time.Duration(i+2)*time.Minute, workflows.EscalateUpdate,
			workflows.EscalateInput{Actor: "ana", Reason: "customer is a journalist"}))
	}
	beyond := h.update(10*time.Minute, workflows.EscalateUpdate, workflows.EscalateInput{Actor: "ana", Reason: "again"})
	state := h.stateAt(11 * time.Minute)
	h.runUntil(12 * time.Minute)

	if !refusedAs(empty(), workflows.ErrInvalidAction) {
		t.Errorf("escalation without a reason: %v", empty())
	}
	for i, up := range ups {
		if err := up(); err != nil {
			t.Errorf("escalation %d: %v", i+1, err)
		}
	}
	if err := beyond(); !refusedAs(err, workflows.ErrStatusConflict) || !strings.Contains(err.Error(), "level 3") {
		t.Errorf("escalation past the top: %v", err)
	}
	if state.EscalationLevel != 3 || state.SLABreached {
		t.Errorf("state = %+v; manual escalation is no breach", state)
	}
	esc := h.store.events(redress.EventEscalated)
	if len(esc) != 3 || esc[0].Data["reason"] != "customer is a journalist" {
		t.Errorf("escalated events = %+v", esc)
	}
}

func TestActionsTheStatusRefuses(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	first := h.update(time.Minute, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "ana"})
	second := h.update(2*time.Minute, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "bo"})
	nobody := h.update(3*time.Minute, workflows.AssignUpdate, workflows.AssignInput{Actor: "sup"})
	assign := h.update(4*time.Minute, workflows.AssignUpdate, workflows.AssignInput{Agent: "bo", Actor: "sup"})
	state := h.stateAt(5 * time.Minute)
	h.runUntil(6 * time.Minute)

	if err := first(); err != nil {
		t.Fatal(err)
	}
	if err := second(); !refusedAs(err, workflows.ErrStatusConflict) || !strings.Contains(err.Error(), "acknowledged") {
		t.Errorf("second acknowledgement: %v; want a conflict naming the status", err)
	}
	if err := nobody(); !refusedAs(err, workflows.ErrInvalidAction) {
		t.Errorf("assign to nobody: %v", err)
	}
	if err := assign(); err != nil {
		t.Fatal(err)
	}
	if state.Assignee != "bo" {
		t.Errorf("assignee = %q", state.Assignee)
	}
	if got := strings.Join(h.store.timeline(), ","); got != "acknowledged,assigned" {
		t.Errorf("refused actions must leave no trace: timeline %s", got)
	}
}

func TestProgressUpdateAcknowledgesAndWaitingPausesResolution(t *testing.T) {
	policy := redress.DefaultPolicy()        // resolve within 120h
	policy.Waiting = redress.WaitingPolicy{} // waits on the customer as long as it takes
	h := newHarness(t, redress.P3, policy)
	note := h.update(time.Hour, workflows.ProgressUpdate, workflows.ProgressInput{Actor: "ana", Message: "Looking into it"})
	wait := h.update(10*time.Hour, workflows.ProgressUpdate,
		workflows.ProgressInput{Actor: "ana", Message: "Please send a photo", WaitingOnCustomer: true})
	paused := h.stateAt(150 * time.Hour)
	resume := h.update(200*time.Hour, workflows.ProgressUpdate, workflows.ProgressInput{Actor: "ana", Message: "Thanks, got it"})
	resumed := h.stateAt(309 * time.Hour)
	breached := h.stateAt(310*time.Hour + time.Minute)
	h.runUntil(311 * time.Hour)

	for _, up := range []func() error{note, wait, resume} {
		if err := up(); err != nil {
			t.Fatal(err)
		}
	}
	if paused.Status != redress.StatusWaitingOnCustomer || paused.ResolveDueAt != nil || paused.SLABreached {
		t.Errorf("while waiting on the customer: %+v", paused)
	}
	if paused.AcknowledgedAt == nil || !paused.AcknowledgedAt.Equal(start.Add(time.Hour)) {
		t.Errorf("the first note acknowledges: %v", paused.AcknowledgedAt)
	}
	// 10h of 120h were used before the pause: 110h are left from 200h.
	if want := start.Add(310 * time.Hour); resumed.ResolveDueAt == nil || !resumed.ResolveDueAt.Equal(want) || resumed.SLABreached {
		t.Errorf("resumed: due %v (want %v), %+v", resumed.ResolveDueAt, want, resumed)
	}
	if resumed.Status != redress.StatusInProgress {
		t.Errorf("status after the customer's answer = %s", resumed.Status)
	}
	if !breached.SLABreached || breached.EscalationLevel != 1 {
		t.Errorf("after the resumed deadline: %+v", breached)
	}
	updates := h.store.events(redress.EventUpdated)
	if len(updates) != 3 || updates[1].Data["waiting_on_customer"] != true {
		t.Errorf("updated events = %+v", updates)
	}
}

// The review's example: business hours to 17:00, a P2 filed on a Saturday
// and never acknowledged. Its third acknowledgement deadline and its
// resolution deadline fall on the same instant; both must fire.
func TestCoincidentDeadlinesBothFire(t *testing.T) {
	policy := redress.DefaultPolicy()
	policy.Timezone = "UTC"
	policy.BusinessHours = redress.BusinessHours{Enabled: true, Days: []string{"mon", "tue", "wed", "thu", "fri"},
		Start: "09:00", End: "17:00"}
	saturday := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	h := newHarnessAt(t, saturday, redress.P2, redress.TierStandard, policy)
	h.runUntil(40 * 24 * time.Hour)

	both := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	var atBoth []string
	for _, ch := range h.store.changes {
		for _, e := range ch.Timeline {
			if e.At.Equal(both) {
				atBoth = append(atBoth, e.Detail)
			}
		}
	}
	want := []string{"SLA breached: acknowledgement overdue", "Escalated to level 3", "executives notified: acknowledgement overdue",
		"SLA breached: resolution overdue", "Already at the top of the escalation ladder; executives were told before"}
	if strings.Join(atBoth, " | ") != strings.Join(want, " | ") {
		t.Errorf("at %s the timeline says\n%s\nwant\n%s", both, strings.Join(atBoth, "\n"), strings.Join(want, "\n"))
	}
}

// quietStep runs an action that every status takes and that changes
// nothing but the timeline: taken an hour in, refused without its subject
// (ErrInvalidAction), and taken again once the complaint is closed. It
// returns the changes whose only line is of kind, each checked to send
// nothing to the customer.
func quietStep(t *testing.T, update string, first, refused, afterClose any, kind string) []redress.Change {
	t.Helper()
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	took := h.update(time.Hour, update, first)
	empty := h.update(2*time.Hour, update, refused)
	h.update(3*time.Hour, workflows.ResolveUpdate, workflows.ResolveInput{Actor: "ana", Type: "refund", Summary: "Refunded", RootCause: "logistics"})
	h.update(4*time.Hour, workflows.ConfirmUpdate, nil)
	closed := h.update(5*time.Hour, update, afterClose)
	before, after := h.stateAt(time.Hour-time.Minute), h.stateAt(time.Hour+time.Minute)
	h.runUntil(6 * time.Hour)

	if err := took(); err != nil {
		t.Fatal(err)
	}
	if err := closed(); err != nil {
		t.Errorf("%s on a closed complaint: %v", update, err)
	}
	if !refusedAs(empty(), workflows.ErrInvalidAction) {
		t.Errorf("%s without its subject: %v", update, empty())
	}
	if before.Status != after.Status || !before.AckDueAt.Equal(*after.AckDueAt) || after.AcknowledgedAt != nil {
		t.Errorf("%s changed the complaint: %+v -> %+v", update, before, after)
	}
	var written []redress.Change
	for _, ch := range h.store.changes {
		if len(ch.Timeline) == 1 && ch.Timeline[0].Kind == kind {
			written = append(written, ch)
			if ch.Timeline[0].Public || len(ch.Events) > 0 {
				t.Errorf("%s reached the customer: %+v", update, ch)
			}
		}
	}
	return written
}

// An internal note changes nothing the customer sees or any clock, and is
// taken in any status while the workflow runs, a closed complaint's too.
func TestInternalNotes(t *testing.T) {
	notes := quietStep(t, workflows.NoteUpdate, workflows.NoteInput{Actor: "ana", Message: "Customer is a journalist"},
		workflows.NoteInput{Actor: "ana", Message: " "}, workflows.NoteInput{Actor: "bo", Message: "Refund went out"}, redress.KindNote)
	if len(notes) != 2 {
		t.Errorf("%d notes written, want 2", len(notes))
	}
}

// A file's line is internal, like a note: no status, clock or message
// moves, and it is written in any status while the workflow runs.
func TestAttachmentLines(t *testing.T) {
	photo := workflows.AttachmentInput{Actor: "customer", AttachmentID: "a1", Filename: "lid.png", ContentType: "image/png", Size: 2048,
		Attribution: workflows.Attribution{By: "key:crm"}}
	later := photo
	later.AttachmentID = "a2"
	lines := quietStep(t, workflows.AttachmentUpdate, photo, workflows.AttachmentInput{Actor: "customer"}, later, redress.KindAttachment)
	if len(lines) != 2 || lines[0].Timeline[0].By != "key:crm" || lines[0].Timeline[0].Detail != "Attached lid.png (image/png, 2048 bytes)" {
		t.Errorf("the files' lines are %+v", lines)
	}
}
