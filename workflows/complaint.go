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
	// State is the first state, as intake stored it (seq 1).
	State redress.State `json:"state"`
	// Policy is the policy in force at intake; the complaint keeps it, so a
	// later policy change never alters a complaint in flight.
	Policy redress.Policy `json:"policy"`
}

// Complaint is the workflow of one complaint, id ComplaintWorkflowID(id).
func Complaint(ctx workflow.Context, in ComplaintInput) (redress.State, error) {
	wf := new(complaint)
	if err := wf.setup(ctx, in); err != nil {
		return redress.State{}, err
	}
	return wf.run(ctx)
}

// complaint is the workflow's state: the projected State plus the clocks'
// bookkeeping that only the workflow needs.
type complaint struct {
	in     ComplaintInput
	state  redress.State
	seq    int // last timeline seq written
	logger log.Logger

	clock     *redress.Calendar // counts SLA time for this complaint's priority
	ackWarnAt *time.Time        // when the assignee is warned of the acknowledgement deadline

	resolvePaused bool          // waiting on the customer
	resolveLeft   time.Duration // counted resolution time left when the clock paused

	reopenDueAt    *time.Time // a resolved complaint closes by itself then
	reopens        int
	surveyRound    int
	surveyRemindAt *time.Time
	surveyExpireAt *time.Time

	winbackReason    string // set when a win-back is due; the run loop starts it
	winbackTriggered bool   // a complaint triggers at most one
	done             bool   // the survey is answered or expired

	pending redress.Change // timeline and events not yet written
	changed bool           // an action changed the clocks since the loop last looked
}

func (wf *complaint) setup(ctx workflow.Context, in ComplaintInput) error {
	wf.in = in
	wf.state = in.State
	wf.seq = 1
	wf.logger = log.With(workflow.GetLogger(ctx), "ComplaintID", in.ComplaintID)
	wf.clock = in.Policy.Clock(in.State.Priority)
	if in.State.AckDueAt != nil {
		wf.ackWarnAt = wf.ackWarningTime(in.CreatedAt)
	}
	if err := workflow.SetQueryHandler(ctx, StateQuery, func() (redress.State, error) { return wf.state, nil }); err != nil {
		return err
	}
	if err := wf.registerActions(ctx); err != nil {
		return err
	}
	return wf.registerLifecycle(ctx)
}

// run sleeps until the next deadline or the next action, until the survey
// is answered or expires; then it lets running handlers finish and ends.
func (wf *complaint) run(ctx workflow.Context) (redress.State, error) {
	timer := deadlineTimer{}
	for !wf.done || wf.winbackReason != "" {
		if wf.winbackReason != "" {
			if err := wf.startWinback(ctx); err != nil {
				return wf.state, err
			}
			continue
		}
		due, fire := wf.nextDeadline()
		timer.arm(ctx, due)
		if err := workflow.Await(ctx, func() bool { return wf.changed || timer.fired }); err != nil {
			return wf.state, err
		}
		if wf.changed {
			wf.changed = false
			continue
		}
		timer.fired = false
		if err := fire(ctx); err != nil {
			return wf.state, err
		}
	}
	timer.arm(ctx, time.Time{})
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return wf.state, err
}

// NewComplaintInput builds a stored complaint's workflow input.
func NewComplaintInput(c *redress.Complaint, tier redress.Tier, policy redress.Policy) ComplaintInput {
	return ComplaintInput{ComplaintID: c.ID, CustomerID: c.CustomerID, CustomerTier: tier, Category: c.Category,
		CreatedAt: c.CreatedAt, State: c.State, Policy: policy}
}
