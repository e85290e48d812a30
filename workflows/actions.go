package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
)

// The agents' actions: workflow Updates whose validators refuse an action the
// complaint's status does not allow, so the caller learns at once.
const (
	AcknowledgeUpdate = "acknowledge"
	AssignUpdate      = "assign"
	ProgressUpdate    = "progress"
	EscalateUpdate    = "escalate"
	NoteUpdate        = "note"
	AttachmentUpdate  = "attachment"
)

// Error types of a refused action, for callers to map.
const (
	ErrStatusConflict = "StatusConflict" // the status does not allow the action
	ErrInvalidAction  = "InvalidAction"  // the action's input is incomplete
)

// Attribution names the credential behind a staff action (redress.ByKey,
// redress.ByUser), which the timeline records beside the agent the action
// names. Actions whose input carries none are the customer's.
type Attribution struct {
	By string `json:"by,omitempty"`
}

func (a Attribution) credential() string { return a.By }

type attributed interface{ credential() string }

// sentVia is a customer's input that names the channel it came by.
type sentVia interface{ channel() string }

// AcknowledgeInput is a person's acknowledgement of the complaint.
type AcknowledgeInput struct {
	Agent string `json:"agent"`
	Attribution
}

// AssignInput gives the complaint to an agent.
type AssignInput struct {
	Agent string `json:"agent"`
	Actor string `json:"actor"` // who assigns
	Attribution
}

// ProgressInput is a progress note to the customer.
type ProgressInput struct {
	Actor             string `json:"actor"`
	Message           string `json:"message"`
	WaitingOnCustomer bool   `json:"waiting_on_customer"`
	// Files are the names of the files sent with the update, shared with
	// the customer before it.
	Files []string `json:"files,omitempty"`
	Attribution
}

// NoteInput is an internal note between staff; the customer never sees it.
type NoteInput struct {
	Actor   string `json:"actor"`
	Message string `json:"message"`
	Attribution
}

// AttachmentInput records a file added to the complaint; the file itself
// is in the object store, never in the workflow.
type AttachmentInput struct {
	Actor        string `json:"actor"`
	AttachmentID string `json:"attachment_id"`
	Filename     string `json:"filename"`
	ContentType  string `json:"content_type"`
	Size         int64  `json:"size"`
	Attribution
}

// EscalateInput is a manual escalation.
type EscalateInput struct {
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
	Attribution
}

// action registers an agent's or customer's action as an Update. Its
// validator refuses at once what the status does not allow; its handler
// first fires every deadline that fell due before the action, checks again
// (a deadline may have changed the status), and only then acts.
func action[In any](ctx workflow.Context, wf *complaint, name string, check func(In) error,
	act func(workflow.Context, In) (redress.State, error)) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, in In) (redress.State, error) {
			by := redress.ByCustomerLink
			if a, ok := any(in).(attributed); ok {
				by = a.credential()
			}
			if c, ok := any(in).(sentVia); ok && c.channel() != "" {
				by = c.channel()
			}
			return wf.perform(ctx, by, func() error { return check(in) }, func() (redress.State, error) { return act(ctx, in) })
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, in In) error { return check(in) }})
}

// bareAction is action for an Update that takes no input.
func bareAction(ctx workflow.Context, wf *complaint, name string, check func() error,
	act func(workflow.Context) (redress.State, error)) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context) (redress.State, error) {
			return wf.perform(ctx, redress.ByCustomerLink, check, func() (redress.State, error) { return act(ctx) })
		},
		workflow.UpdateHandlerOptions{Validator: func(workflow.Context) error { return check() }})
}

// perform runs an action as one step: no deadline and no other action
// interleaves with it. It first fires the deadlines that fell due before the
// action (the system's lines) and checks the action again, since a deadline
// may have changed the status; then it acts, and a win-back the action
// triggers starts before the step ends. Every line the action writes is its
// credential's, however the body names the agent. Complaints from before the
// current engine act as they did when they ran.
func (wf *complaint) perform(ctx workflow.Context, by string, check func() error, act func() (redress.State, error)) (redress.State, error) {
	if workflow.GetVersion(ctx, engineChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return act()
	}
	if err := wf.steps.Lock(ctx); err != nil {
		return wf.state, err
	}
	defer wf.steps.Unlock()
	wf.inAction = workflow.GetVersion(ctx, actionWritesChange, workflow.DefaultVersion, 1) >= 1
	defer func() { wf.inAction = false }()
	if err := wf.catchUp(ctx); err != nil {
		return wf.state, err
	}
	if err := check(); err != nil {
		return wf.state, err
	}
	wf.actingBy = by
	defer func() { wf.actingBy = "" }()
	wf.pending.UpdateID = keyedUpdate(ctx)
	if _, err := act(); err != nil {
		wf.pending.UpdateID = ""
		return wf.state, err
	}
	return wf.state, wf.startTriggeredWinback(ctx)
}

// keyedUpdatePrefix marks the ids of Updates sent under a caller's
// idempotency key; their steps record them (redress.Change.UpdateID).
const keyedUpdatePrefix = "key:"

// KeyedUpdateID is the Update id of an action sent under a caller's
// idempotency key: the same for every retry, within a run and across runs.
// The caller's scope (a staff account, "customer", the mail channel) keeps
// one caller's keys from meeting another's, hashed so that no id carries a
// person's e-mail into the workflow's history.
func KeyedUpdateID(update, scope, key string) string {
	h := sha256.Sum256([]byte(update + "\x00" + scope + "\x00" + key))
	return keyedUpdatePrefix + update + ":" + hex.EncodeToString(h[:16])
}

// keyedUpdate is the id of the Update being handled when it was sent under
// an idempotency key, else "".
func keyedUpdate(ctx workflow.Context) string {
	if info := workflow.GetCurrentUpdateInfo(ctx); info != nil && strings.HasPrefix(info.ID, keyedUpdatePrefix) {
		return info.ID
	}
	return ""
}

func (wf *complaint) registerActions(ctx workflow.Context) error {
	return firstError(
		action(ctx, wf, AcknowledgeUpdate, func(in AcknowledgeInput) error {
			return firstError(required("acknowledge", in.Agent), wf.allow("acknowledge", redress.ActionAcknowledge.AllowedIn()...))
		}, wf.acknowledge),
		action(ctx, wf, AssignUpdate, func(in AssignInput) error {
			return firstError(required("assign", in.Agent), wf.allow("assign", redress.ActionAssign.AllowedIn()...))
		}, wf.assign),
		action(ctx, wf, ProgressUpdate, func(in ProgressInput) error {
			return firstError(required("post an update to", in.Message), wf.allow("post an update to", redress.ActionReply.AllowedIn()...))
		}, wf.progress),
		// Notes are welcome in any status while the complaint's workflow runs,
		// closed and surveyed included.
		action(ctx, wf, NoteUpdate, func(in NoteInput) error { return required("note on", in.Message) }, wf.addNote),
		// Files arrive in any status while the workflow runs, as notes do.
		action(ctx, wf, AttachmentUpdate, func(in AttachmentInput) error {
			return required("record an attachment on", in.AttachmentID)
		}, wf.recordAttachment),
		action(ctx, wf, EscalateUpdate, func(in EscalateInput) error {
			if err := firstError(required("escalate", in.Reason), wf.allow("escalate", redress.ActionEscalate.AllowedIn()...)); err != nil {
				return err
			}
			if wf.state.EscalationLevel >= redress.MaxEscalationLevel {
				return temporal.NewApplicationError(fmt.Sprintf("the complaint is already at level %d (%s), the top of the ladder",
					wf.state.EscalationLevel, wf.in.Policy.EscalationStep(wf.state.EscalationLevel).Notify), ErrStatusConflict)
			}
			return nil
		}, wf.manualEscalate),
	)
}

// required refuses an action whose who or why is empty.
func required(action, text string) error {
	if strings.TrimSpace(text) == "" {
		return temporal.NewApplicationError("cannot "+action+" the complaint without saying who or why", ErrInvalidAction)
	}
	return nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// allow refuses an action that the current status does not allow, naming
// the status.
func (wf *complaint) allow(action string, statuses ...redress.Status) error {
	if !slices.Contains(statuses, wf.state.Status) {
		return temporal.NewApplicationError(fmt.Sprintf("cannot %s a complaint whose status is %s", action, wf.state.Status), ErrStatusConflict)
	}
	return nil
}

// acknowledge stops the acknowledgement clock; acknowledging a reopened
// complaint puts it back to work.
func (wf *complaint) acknowledge(ctx workflow.Context, in AcknowledgeInput) (redress.State, error) {
	next := redress.StatusAcknowledged
	if wf.state.Status == redress.StatusReopened {
		next = redress.StatusInProgress
	}
	wf.markAcknowledged(ctx, in.Agent)
	wf.state.Status = next
	return wf.state, wf.commit(ctx)
}

// markAcknowledged stops the acknowledgement clock: a person has answered.
func (wf *complaint) markAcknowledged(ctx workflow.Context, agent string) {
	now := workflow.Now(ctx).UTC()
	if wf.state.AcknowledgedAt == nil {
		wf.state.AcknowledgedAt = &now
	}
	if wf.state.Assignee == "" {
		wf.state.Assignee = agent
	}
	wf.stopAckClock()
	wf.note(ctx, agent, redress.KindAcknowledged, "Acknowledged by "+agent)
	wf.emit(ctx, redress.EventAcknowledged, map[string]any{"agent": agent})
}

func (wf *complaint) assign(ctx workflow.Context, in AssignInput) (redress.State, error) {
	wf.state.Assignee = in.Agent
	actor := in.Actor
	if actor == "" { // an assignment sent before Actor existed named its key in By
		actor = in.By
	}
	wf.note(ctx, actor, redress.KindAssigned, "Assigned to "+in.Agent)
	return wf.state, wf.commit(ctx)
}

// progress posts a note to the customer. The first note from a person also
// acknowledges the complaint; waiting on the customer pauses the resolution
// clock, and any other note resumes it.
func (wf *complaint) progress(ctx workflow.Context, in ProgressInput) (redress.State, error) {
	if wf.state.Status == redress.StatusReceived || wf.state.Status == redress.StatusReopened {
		wf.markAcknowledged(ctx, in.Actor)
	}
	now := workflow.Now(ctx)
	if in.WaitingOnCustomer {
		wf.pauseResolveClock(now)
		wf.state.Status = redress.StatusWaitingOnCustomer
		wf.startWaitingClocks(ctx, now)
	} else {
		wf.resumeResolveClock(now)
		wf.state.Status = redress.StatusInProgress
		wf.stopWaitingClocks()
	}
	wf.note(ctx, in.Actor, redress.KindUpdate, in.Message)
	data := map[string]any{"message": in.Message, "waiting_on_customer": in.WaitingOnCustomer}
	if len(in.Files) > 0 {
		data["files"] = in.Files
	}
	wf.emit(ctx, redress.EventUpdated, data)
	return wf.state, wf.commit(ctx)
}

// addNote records an internal note: no status, clock or customer changes.
func (wf *complaint) addNote(ctx workflow.Context, in NoteInput) (redress.State, error) {
	wf.note(ctx, in.Actor, redress.KindNote, in.Message)
	return wf.state, wf.commit(ctx)
}

// recordAttachment writes the line of a file added to the complaint.
func (wf *complaint) recordAttachment(ctx workflow.Context, in AttachmentInput) (redress.State, error) {
	wf.note(ctx, in.Actor, redress.KindAttachment, fmt.Sprintf("Attached %s (%s, %d bytes)", in.Filename, in.ContentType, in.Size))
	return wf.state, wf.commit(ctx)
}

func (wf *complaint) manualEscalate(ctx workflow.Context, in EscalateInput) (redress.State, error) {
	wf.escalate(ctx, in.Actor, in.Reason)
	return wf.state, wf.commit(ctx)
}
