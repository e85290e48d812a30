// Package workflows holds the durable workflows of Redress: one per
// complaint, carrying it through its SLA clocks and the agents' actions.
package workflows

import (
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
)

// TaskQueue is the one task queue of the complaint workflows.
const TaskQueue = "complaints"

// StateQuery returns the complaint's live State.
const StateQuery = "state"

// ComplaintInput is what intake hands the complaint's workflow. It carries no
// personal data: names, contacts and free text stay in PostgreSQL.
type ComplaintInput struct {
	ComplaintID  string           `json:"complaint_id"`
	CustomerID   string           `json:"customer_id"`
	CustomerTier redress.Tier     `json:"customer_tier"`
	Category     redress.Category `json:"category"`
	CreatedAt    time.Time        `json:"created_at"`
	// State is the first state, as intake stored it (seq 1), or the state a
	// run handed on when it continued as new.
	State redress.State `json:"state"`
	// Policy is the policy in force at intake; the complaint keeps it, so a
	// later policy change never alters a complaint in flight.
	Policy redress.Policy `json:"policy"`
	// Carried is the bookkeeping of the run that continued as new; nil for
	// the first run.
	Carried *Bookkeeping `json:"carried,omitempty"`
}

// Bookkeeping is what the workflow keeps beside the projected State: the
// deadlines that State does not show, the paused clock and the counters. A
// run that continues as new hands it on whole, so nothing changes for anyone
// watching the complaint.
type Bookkeeping struct {
	Seq            int           `json:"seq"`                      // last timeline seq written
	AckWarnAt      *time.Time    `json:"ack_warn_at,omitempty"`    // when the assignee is warned of the acknowledgement deadline
	ResolvePaused  bool          `json:"resolve_paused,omitempty"` // waiting on the customer
	ResolveLeft    time.Duration `json:"resolve_left,omitempty"`   // counted resolution time left when the clock paused
	ReopenDueAt    *time.Time    `json:"reopen_due_at,omitempty"`  // a resolved complaint closes by itself then
	Reopens        int           `json:"reopens,omitempty"`
	SurveyRound    int           `json:"survey_round,omitempty"`
	SurveyRemindAt *time.Time    `json:"survey_remind_at,omitempty"`
	SurveyExpireAt *time.Time    `json:"survey_expire_at,omitempty"`
	// While the customer owes an answer: when they are reminded, and when
	// the complaint is resolved for want of one (policy waiting).
	WaitingRemindAt *time.Time `json:"waiting_remind_at,omitempty"`
	WaitingCloseAt  *time.Time `json:"waiting_close_at,omitempty"`
	// WinbackTriggered: a complaint triggers at most one win-back.
	WinbackTriggered bool `json:"winback_triggered,omitempty"`
	// FollowUpAt is when the account team's follow-up falls due, until the
	// workflow has told them; the run lasts until then.
	FollowUpAt *time.Time `json:"followup_at,omitempty"`
}

// Complaint is the workflow of one complaint, id ComplaintWorkflowID(id).
func Complaint(ctx workflow.Context, in ComplaintInput) (redress.State, error) {
	wf := new(complaint)
	if err := wf.setup(ctx, in); err != nil {
		return redress.State{}, err
	}
	return wf.run(ctx)
}

// complaint is the workflow's state: the projected State plus the
// bookkeeping that only the workflow needs.
type complaint struct {
	in     ComplaintInput
	state  redress.State
	book   Bookkeeping
	logger log.Logger
	clock  *redress.Calendar // counts SLA time for this complaint's priority

	winbackReason string // set when a win-back is due; the run loop starts it
	done          bool   // the survey is answered or expired
	// currentEngine: the run loop is the current engine's, which keeps the
	// run for a follow-up; complaints still on the first engine get none.
	currentEngine bool

	steps    workflow.Mutex // one step at a time: a deadline firing, or an action
	actingBy string         // the credential of the action under way, for its timeline lines
	inAction bool           // a step of an action is under way: its writes wait for the history (actionWritesChange)
	pending  redress.Change // timeline and events not yet written
	changed  bool           // an action changed the clocks since the loop last looked
}

func (wf *complaint) setup(ctx workflow.Context, in ComplaintInput) error {
	wf.in = in
	wf.state = in.State
	wf.logger = log.With(workflow.GetLogger(ctx), "ComplaintID", in.ComplaintID)
	wf.clock = in.Policy.Clock(in.State.Priority)
	wf.steps = workflow.NewMutex(ctx)
	if in.Carried != nil {
		wf.book = *in.Carried
	} else {
		wf.book.Seq = 1
		if in.State.AckDueAt != nil {
			wf.book.AckWarnAt = wf.ackWarningTime(in.CreatedAt)
		}
	}
	if err := workflow.SetQueryHandler(ctx, StateQuery, func() (redress.State, error) { return wf.state, nil }); err != nil {
		return err
	}
	if err := firstError(wf.registerActions(ctx), wf.registerMerge(ctx)); err != nil {
		return err
	}
	wf.listenForCustomerMerges(ctx)
	return wf.registerLifecycle(ctx)
}

// run fires each deadline as it falls due and sleeps until the next one or
// the next action, until the survey is answered or expires; then it lets
// running handlers finish and ends. When the server suggests it (the history
// or the count of Updates nears its limit) the run continues as new.
func (wf *complaint) run(ctx workflow.Context) (redress.State, error) {
	if workflow.GetVersion(ctx, engineChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return wf.runFirstEngine(ctx)
	}
	wf.currentEngine = true
	timer := deadlineTimer{}
	for !wf.ended() {
		if err := wf.catchUpAsOneStep(ctx); err != nil {
			return wf.state, err
		}
		if wf.ended() {
			continue
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() && workflow.AllHandlersFinished(ctx) {
			in := wf.in
			in.State, in.Carried = wf.state, &wf.book
			return wf.state, workflow.NewContinueAsNewError(ctx, Complaint, in)
		}
		due, ok := wf.nextDeadline()
		timer.arm(ctx, due, ok)
		if err := workflow.Await(ctx, func() bool {
			return wf.changed || timer.fired || workflow.GetInfo(ctx).GetContinueAsNewSuggested() && workflow.AllHandlersFinished(ctx)
		}); err != nil {
			return wf.state, err
		}
		wf.changed = false
	}
	timer.stop()
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return wf.state, err
}

// ended tells whether the complaint's story is over: nothing more for the
// customer, and no follow-up left to fall due.
func (wf *complaint) ended() bool { return wf.done && wf.book.FollowUpAt == nil }

// catchUpAsOneStep fires the due deadlines as one step, which no action
// interleaves with.
func (wf *complaint) catchUpAsOneStep(ctx workflow.Context) error {
	if err := wf.steps.Lock(ctx); err != nil {
		return err
	}
	defer wf.steps.Unlock()
	return wf.catchUp(ctx)
}

// NewComplaintInput builds a stored complaint's workflow input.
func NewComplaintInput(c *redress.Complaint, tier redress.Tier, policy redress.Policy) ComplaintInput {
	return ComplaintInput{ComplaintID: c.ID, CustomerID: c.CustomerID, CustomerTier: tier, Category: c.Category,
		CreatedAt: c.CreatedAt, State: c.State, Policy: policy}
}
