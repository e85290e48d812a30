// Package desk carries out staff actions on complaints: the one set of rules
// behind both front doors, the JSON API and the agent console. It checks the
// input and the caller's role, sends the action to the complaint's workflow
// as an Update and answers with the complaint as it stands afterwards.
package desk

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/workflows"
)

// Desk is the service desk's operations.
type Desk struct {
	db       *postgres.DB
	temporal client.Client
	logger   *slog.Logger
}

// New builds the desk over the record store and Temporal.
func New(db *postgres.DB, temporal client.Client, logger *slog.Logger) *Desk {
	return &Desk{db: db, temporal: temporal, logger: logger}
}

// ActionTimeout bounds how long a caller waits for an action's outcome; past
// it (Temporal or every worker down) the answer is EUNAVAILABLE.
const ActionTimeout = 15 * time.Second

// Update sends an Update to a complaint's workflow and waits for its outcome.
// A retry under the same updateID is the same Update, which Temporal applies
// once. A complaint whose workflow is gone is answered from PostgreSQL.
func (d *Desk) Update(ctx context.Context, complaintID, updateID, name string, arg any) error {
	return d.updateKeyed(ctx, complaintID, updateID, name, arg, nil)
}

func (d *Desk) updateKeyed(ctx context.Context, complaintID, updateID, name string, arg any, gone func() error) error {
	if updateID != "" {
		// Applied in an earlier run of the workflow, or after it ended:
		// the retry is answered, not applied again.
		applied, err := d.db.ActionApplied(ctx, complaintID, updateID)
		if err != nil || applied {
			return err
		}
	}
	return d.updateOrElse(ctx, complaintID, updateID, name, arg, gone)
}

// updateOrElse is Update with what to do instead when the complaint's
// workflow no longer runs (nil: answer from PostgreSQL's record of it).
func (d *Desk) updateOrElse(ctx context.Context, complaintID, updateID, name string, arg any, gone func() error) error {
	err := d.update(ctx, complaintID, updateID, name, arg)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound) && gone != nil:
		return gone()
	case errors.As(err, &notFound):
		return d.workflowGone(ctx, complaintID)
	}
	return TemporalError(err)
}

func (d *Desk) update(ctx context.Context, id, updateID, name string, arg any) error {
	var args []any
	if arg != nil {
		args = []any{arg}
	}
	handle, err := d.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   redress.ComplaintWorkflowID(id),
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return handle.Get(ctx, nil)
}

// workflowGone answers an action on a complaint whose workflow Temporal does
// not have: it finished and its retention passed, or the complaint is so
// new that its workflow is still being started. No action ever starts a
// workflow, so no complaint gets a second one.
func (d *Desk) workflowGone(ctx context.Context, id string) error {
	complaint, err := d.db.Complaint(ctx, id)
	if err != nil {
		return err
	}
	if !complaint.Status.Open() {
		return redress.Errorf(redress.ECONFLICT, "the complaint is %s and takes no more actions", complaint.Status)
	}
	started, err := d.db.WorkflowStarted(ctx, id)
	if err != nil {
		return err
	}
	if !started {
		return redress.Errorf(redress.EUNAVAILABLE, "the complaint is still being set up; try again in a few seconds")
	}
	d.logger.Error("an open complaint's workflow is missing", "complaint", id, "status", complaint.Status)
	return redress.Errorf(redress.ECONFLICT, "the complaint is %s but its workflow no longer runs; an administrator must look at it", complaint.Status)
}

// TemporalError maps what Temporal answered to Redress's error codes.
func TemporalError(err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case workflows.ErrStatusConflict:
			return redress.Errorf(redress.ECONFLICT, "%s", appErr.Message())
		case workflows.ErrInvalidAction:
			return redress.Errorf(redress.EINVALID, "%s", appErr.Message())
		case workflows.ErrGone:
			return redress.Errorf(redress.EGONE, "%s", appErr.Message())
		}
	}
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var exhausted *serviceerror.ResourceExhausted
	var precondition *serviceerror.FailedPrecondition
	var noNamespace *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &noNamespace):
		// Temporal answers so while its own database is out of reach, as
		// well as when the namespace is wrong.
		return &redress.Error{Code: redress.EUNAVAILABLE, Message: "Temporal cannot find its namespace now"}
	case errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded):
		return &redress.Error{Code: redress.EUNAVAILABLE, Message: "Temporal did not answer in time; the action may " +
			"still be applied, so retry with the same Idempotency-Key to have it applied once"}
	case errors.As(err, &exhausted):
		// Temporal's own limits: too many calls, or too many actions in
		// flight on one complaint.
		return &redress.Error{Code: redress.ERATELIMITED, Message: "the complaint is busy: " + exhausted.Message,
			RetryAfter: 2 * time.Second}
	case errors.As(err, &precondition):
		// A limit of the complaint's workflow run, such as its count of
		// Updates; the workflow continues as new before it, so a retry finds
		// the next run.
		return &redress.Error{Code: redress.ECONFLICT, Message: "the complaint cannot take this action now: " + precondition.Message,
			RetryAfter: 5 * time.Second}
	}
	return err
}
