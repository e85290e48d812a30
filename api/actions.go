package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

type agentRequest struct {
	Agent string `json:"agent"`
}

type updateRequest struct {
	Message           string `json:"message"`
	WaitingOnCustomer bool   `json:"waiting_on_customer,omitempty"`
	Agent             string `json:"agent,omitempty"`
}

type escalateRequest struct {
	Reason string `json:"reason"`
	Agent  string `json:"agent,omitempty"`
}

func (s *Server) acknowledge(c echo.Context) error {
	var req agentRequest
	if err := bindAndCheck(c, &req, func(ch *checker) { ch.text("agent", req.Agent, true, 100) }); err != nil {
		return err
	}
	return s.act(c, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: req.Agent, Attribution: attribution(c)})
}

func (s *Server) assign(c echo.Context) error {
	var req agentRequest
	if err := bindAndCheck(c, &req, func(ch *checker) { ch.text("agent", req.Agent, true, 100) }); err != nil {
		return err
	}
	return s.act(c, workflows.AssignUpdate, workflows.AssignInput{Agent: req.Agent, Actor: caller(c).Name, Attribution: attribution(c)})
}

func (s *Server) postUpdate(c echo.Context) error {
	var req updateRequest
	if err := bindAndCheck(c, &req, func(ch *checker) {
		ch.text("message", req.Message, true, 5000)
		ch.text("agent", req.Agent, false, 100)
	}); err != nil {
		return err
	}
	return s.act(c, workflows.ProgressUpdate, workflows.ProgressInput{Actor: actor(c, req.Agent),
		Message: req.Message, WaitingOnCustomer: req.WaitingOnCustomer, Attribution: attribution(c)})
}

type resolveRequest struct {
	ResolutionType string                `json:"resolution_type"`
	Summary        string                `json:"summary"`
	RootCause      string                `json:"root_cause"`
	Compensation   *redress.Compensation `json:"compensation,omitempty"`
	Agent          string                `json:"agent,omitempty"`
}

func (s *Server) resolve(c echo.Context) error {
	var req resolveRequest
	if err := bindAndCheck(c, &req, func(ch *checker) {
		enum(ch, "resolution_type", req.ResolutionType, true, redress.ResolutionTypes)
		ch.text("summary", req.Summary, true, 5000)
		enum(ch, "root_cause", req.RootCause, true, redress.RootCauses)
		ch.text("agent", req.Agent, false, 100)
		if comp := req.Compensation; comp != nil {
			ch.money("compensation", comp.Amount, comp.Currency)
		}
	}); err != nil {
		return err
	}
	return s.act(c, workflows.ResolveUpdate, workflows.ResolveInput{Actor: actor(c, req.Agent), Attribution: attribution(c), Type: req.ResolutionType,
		Summary: req.Summary, RootCause: req.RootCause, Compensation: req.Compensation})
}

type noteRequest struct {
	Message string `json:"message"`
	Agent   string `json:"agent,omitempty"`
}

// addNote writes an internal note on the complaint, for staff only.
func (s *Server) addNote(c echo.Context) error {
	var req noteRequest
	if err := bindAndCheck(c, &req, func(ch *checker) {
		ch.text("message", req.Message, true, 5000)
		ch.text("agent", req.Agent, false, 100)
	}); err != nil {
		return err
	}
	return s.act(c, workflows.NoteUpdate, workflows.NoteInput{Actor: actor(c, req.Agent), Message: req.Message,
		Attribution: attribution(c)})
}

func (s *Server) escalate(c echo.Context) error {
	var req escalateRequest
	if err := bindAndCheck(c, &req, func(ch *checker) {
		ch.text("reason", req.Reason, true, 1000)
		ch.text("agent", req.Agent, false, 100)
	}); err != nil {
		return err
	}
	return s.act(c, workflows.EscalateUpdate, workflows.EscalateInput{Actor: actor(c, req.Agent), Reason: req.Reason, Attribution: attribution(c)})
}

// attribution is the credential behind a staff call, which the timeline
// records whatever agent the body names.
func attribution(c echo.Context) workflows.Attribution {
	return workflows.Attribution{By: redress.ByKey(caller(c).Name)}
}

// actor is the person named in the request, or else the key's name.
func actor(c echo.Context, named string) string {
	if named != "" {
		return named
	}
	return caller(c).Name
}

func bindAndCheck(c echo.Context, v any, check func(*checker)) error {
	if _, err := bind(c, v); err != nil {
		return err
	}
	ch := &checker{}
	check(ch)
	return ch.err()
}

// actionTimeout bounds how long a caller waits for its action's outcome; past it
// (Temporal or every worker down) the answer is a 503.
const actionTimeout = 15 * time.Second

// act runs an agent's action as a workflow Update and answers with the
// complaint as it stands after it: the update completes only once the change
// is in PostgreSQL.
func (s *Server) act(c echo.Context, update string, arg any) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), actionTimeout)
	defer cancel()
	complaint, err := s.db.Complaint(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.runUpdate(ctx, c, complaint, caller(c).Name, update, arg); err != nil {
		return err
	}
	updated, err := s.db.Complaint(ctx, complaint.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, updated)
}

// runUpdate sends an Update to a complaint's workflow and waits for its
// outcome. who scopes the Idempotency-Key: a retry under the same key is the
// same Update, which Temporal applies once.
func (s *Server) runUpdate(ctx context.Context, c echo.Context, complaint *redress.Complaint, who, update string, arg any) error {
	updateID := c.Request().Header.Get("Idempotency-Key")
	if err := validIdempotencyKey(updateID); err != nil {
		return err
	}
	if updateID != "" {
		updateID = update + ":" + who + ":" + updateID
	}
	err := s.update(ctx, complaint.ID, updateID, update, arg)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return s.workflowGone(ctx, complaint.ID)
	}
	return temporalError(err)
}

// workflowGone answers an action on a complaint whose workflow Temporal does
// not have: it finished and its retention passed, or the complaint is so
// new that its workflow is still being started. The answer comes from
// PostgreSQL; no action ever starts a workflow, so no complaint gets a
// second one.
func (s *Server) workflowGone(ctx context.Context, id string) error {
	complaint, err := s.db.Complaint(ctx, id)
	if err != nil {
		return err
	}
	if !complaint.Status.Open() {
		return redress.Errorf(redress.ECONFLICT, "the complaint is %s and takes no more actions", complaint.Status)
	}
	started, err := s.db.WorkflowStarted(ctx, id)
	if err != nil {
		return err
	}
	if !started {
		return redress.Errorf(redress.EUNAVAILABLE, "the complaint is still being set up; try again in a few seconds")
	}
	s.logger.Error("an open complaint's workflow is missing", "complaint", id, "status", complaint.Status)
	return redress.Errorf(redress.ECONFLICT, "the complaint is %s but its workflow no longer runs; an administrator must look at it", complaint.Status)
}

func (s *Server) update(ctx context.Context, id, updateID, name string, arg any) error {
	handle, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   redress.ComplaintWorkflowID(id),
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         args(arg),
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return handle.Get(ctx, nil)
}

// args is an Update's argument list: none for a nil argument.
func args(arg any) []any {
	if arg == nil {
		return nil
	}
	return []any{arg}
}

// temporalError maps what Temporal answered to the API's error codes.
func temporalError(err error) error {
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
	switch {
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
