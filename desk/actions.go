package desk

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/workflows"
)

// Actor is who takes an action: a person signed in to the console or a
// staff API key.
type Actor struct {
	// Name is who the timeline says acted: the agent an API call names, or
	// the key's name, or the console user's e-mail.
	Name string
	// By is the credential (redress.ByKey, redress.ByUser), which the
	// timeline records whatever Name says.
	By   string
	Role string
	// Account scopes idempotency keys: one caller's key never collides with
	// another's.
	Account string
}

// Call is one staff action on one complaint. IdempotencyKey, when given,
// makes a retry of the call the same action, applied once.
type Call struct {
	ComplaintID    string
	Actor          Actor
	IdempotencyKey string
}

// The roles that may take each staff action; assigning is a supervisor's.
var actionRoles = map[redress.StaffAction][]string{
	redress.ActionAcknowledge: {config.RoleAgent, config.RoleSupervisor, config.RoleAdmin},
	redress.ActionAssign:      {config.RoleSupervisor, config.RoleAdmin},
	redress.ActionReply:       {config.RoleAgent, config.RoleSupervisor, config.RoleAdmin},
	redress.ActionNote:        {config.RoleAgent, config.RoleSupervisor, config.RoleAdmin},
	redress.ActionEscalate:    {config.RoleAgent, config.RoleSupervisor, config.RoleAdmin},
	redress.ActionResolve:     {config.RoleAgent, config.RoleSupervisor, config.RoleAdmin},
	redress.ActionMerge:       {config.RoleAgent, config.RoleSupervisor, config.RoleAdmin},
}

// MayTake says whether the role may take the action at all.
func MayTake(role string, a redress.StaffAction) bool { return slices.Contains(actionRoles[a], role) }

// Reply is a progress update to the customer.
type Reply struct {
	Message           string
	WaitingOnCustomer bool
	// Attachments are staff files of the complaint sent with the reply:
	// from then on the customer sees and downloads them.
	Attachments []string
}

// Resolve settles a complaint.
type Resolve struct {
	Type         string
	Summary      string
	RootCause    string
	Compensation *redress.Compensation
}

// Acknowledge marks that a person took the complaint up; agent becomes its
// assignee.
func (d *Desk) Acknowledge(ctx context.Context, call Call, agent string) (*redress.Complaint, error) {
	ch := &redress.Checker{}
	ch.Text("agent", agent, true, 100)
	return d.act(ctx, call, redress.ActionAcknowledge, ch, workflows.AcknowledgeUpdate,
		workflows.AcknowledgeInput{Agent: agent, Attribution: call.attribution()})
}

// Assign gives the complaint to an agent.
func (d *Desk) Assign(ctx context.Context, call Call, agent string) (*redress.Complaint, error) {
	ch := &redress.Checker{}
	ch.Text("agent", agent, true, 100)
	return d.act(ctx, call, redress.ActionAssign, ch, workflows.AssignUpdate,
		workflows.AssignInput{Agent: agent, Actor: call.Actor.Name, Attribution: call.attribution()})
}

// Reply posts a progress update that reaches the customer.
func (d *Desk) Reply(ctx context.Context, call Call, in Reply) (*redress.Complaint, error) {
	ch := &redress.Checker{}
	ch.Text("message", in.Message, true, redress.MaxMessage)
	if len(in.Attachments) > redress.MaxReplyFiles {
		ch.Fail("attachments", "a reply carries at most %d files", redress.MaxReplyFiles)
	}
	update := workflows.ProgressInput{Actor: call.Actor.Name, Message: in.Message, WaitingOnCustomer: in.WaitingOnCustomer,
		Attribution: call.attribution()}
	if len(in.Attachments) > 0 && ch.Err() == nil && MayTake(call.Actor.Role, redress.ActionReply) {
		// Shared before the reply that names them, so the customer never
		// reads of a file they cannot open; a refused reply shares nothing.
		complaint, err := d.db.Complaint(ctx, call.ComplaintID)
		if err != nil {
			return nil, err
		}
		if !complaint.State.Allows(redress.ActionReply) {
			return nil, redress.Errorf(redress.ECONFLICT, "cannot post an update to a complaint whose status is %s", complaint.Status)
		}
		if update.Files, err = d.db.ShareAttachments(ctx, complaint.ID, in.Attachments); err != nil {
			return nil, err
		}
	}
	return d.act(ctx, call, redress.ActionReply, ch, workflows.ProgressUpdate, update)
}

// Note writes an internal note, which the customer never sees.
func (d *Desk) Note(ctx context.Context, call Call, message string) (*redress.Complaint, error) {
	ch := &redress.Checker{}
	ch.Text("message", message, true, redress.MaxMessage)
	return d.actOrElse(ctx, call, redress.ActionNote, ch, workflows.NoteUpdate,
		workflows.NoteInput{Actor: call.Actor.Name, Message: message, Attribution: call.attribution()},
		// After the workflow ended the note is written to PostgreSQL: notes
		// are allowed in any status.
		func(ctx context.Context, complaintID, updateID string) error {
			note := redress.TimelineEntry{At: time.Now().UTC().Truncate(time.Microsecond), Actor: call.Actor.Name,
				By: call.Actor.By, Kind: redress.KindNote, Public: redress.PublicKind(redress.KindNote), Detail: message}
			return d.db.AddLateNote(ctx, complaintID, note, updateID)
		})
}

// Escalate raises the complaint one level, with a reason.
func (d *Desk) Escalate(ctx context.Context, call Call, reason string) (*redress.Complaint, error) {
	ch := &redress.Checker{}
	ch.Text("reason", reason, true, 1000)
	return d.act(ctx, call, redress.ActionEscalate, ch, workflows.EscalateUpdate,
		workflows.EscalateInput{Actor: call.Actor.Name, Reason: reason, Attribution: call.attribution()})
}

// Resolve settles the complaint; the customer may confirm or reopen it.
func (d *Desk) Resolve(ctx context.Context, call Call, in Resolve) (*redress.Complaint, error) {
	ch := &redress.Checker{}
	redress.CheckEnum(ch, "resolution_type", in.Type, true, redress.ResolutionTypes)
	ch.Text("summary", in.Summary, true, redress.MaxMessage)
	redress.CheckEnum(ch, "root_cause", in.RootCause, true, redress.RootCauses)
	if comp := in.Compensation; comp != nil {
		if comp.Amount != 0 || comp.Currency != "" || comp.Points == 0 {
			ch.Money("compensation", comp.Amount, comp.Currency)
		}
		if comp.Points < 0 || comp.Points > redress.MaxPoints {
			ch.Fail("compensation.points", "must be from 0 to %d", redress.MaxPoints)
		}
	}
	return d.act(ctx, call, redress.ActionResolve, ch, workflows.ResolveUpdate, workflows.ResolveInput{
		Actor: call.Actor.Name, Attribution: call.attribution(), Type: in.Type, Summary: in.Summary,
		RootCause: in.RootCause, Compensation: in.Compensation})
}

func (c Call) attribution() workflows.Attribution { return workflows.Attribution{By: c.Actor.By} }

// act checks the caller's role and the input, runs the action as a workflow
// Update and answers with the complaint as it stands after it: the Update
// completes only once the change is in PostgreSQL.
func (d *Desk) act(ctx context.Context, call Call, action redress.StaffAction, ch *redress.Checker, update string, arg any) (*redress.Complaint, error) {
	return d.actOrElse(ctx, call, action, ch, update, arg, nil)
}

// actOrElse is act with what to do instead when the complaint's workflow
// no longer runs.
func (d *Desk) actOrElse(ctx context.Context, call Call, action redress.StaffAction, ch *redress.Checker, update string, arg any,
	gone func(ctx context.Context, complaintID, updateID string) error) (*redress.Complaint, error) {
	if !MayTake(call.Actor.Role, action) {
		return nil, redress.Errorf(redress.EFORBIDDEN, "the %s role may not %s a complaint; it needs one of: %s",
			call.Actor.Role, action, strings.Join(actionRoles[action], ", "))
	}
	ch.Text("agent", call.Actor.Name, false, 100)
	if err := ch.Err(); err != nil {
		return nil, err
	}
	if err := ValidIdempotencyKey(call.IdempotencyKey); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, ActionTimeout)
	defer cancel()
	complaint, err := d.db.Complaint(ctx, call.ComplaintID)
	if err != nil {
		return nil, err
	}
	updateID := ""
	if call.IdempotencyKey != "" {
		updateID = workflows.KeyedUpdateID(update, call.Actor.Account, call.IdempotencyKey)
	}
	var orElse func() error
	if gone != nil {
		orElse = func() error { return gone(ctx, complaint.ID, updateID) }
	}
	if err := d.updateKeyed(ctx, complaint.ID, updateID, update, arg, orElse); err != nil {
		return nil, err
	}
	return d.db.Complaint(ctx, complaint.ID)
}

// ValidIdempotencyKey checks an Idempotency-Key: short printable ASCII.
func ValidIdempotencyKey(key string) error {
	if len(key) > 255 {
		return redress.Invalid(redress.FieldError{Field: "Idempotency-Key", Message: "must be at most 255 characters"})
	}
	for _, r := range key {
		if r < 0x21 || r > 0x7e {
			return redress.Invalid(redress.FieldError{Field: "Idempotency-Key", Message: "must be printable ASCII without spaces"})
		}
	}
	return nil
}
