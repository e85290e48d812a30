package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
)

// The agents' endpoints decode JSON and leave every rule to the desk, which
// the console uses too.

type agentRequest struct {
	Agent string `json:"agent"`
}

type updateRequest struct {
	Message           string `json:"message"`
	WaitingOnCustomer bool   `json:"waiting_on_customer,omitempty"`
	Agent             string `json:"agent,omitempty"`
	// Attachments are ids of staff files uploaded to the complaint, sent
	// to the customer with the update.
	Attachments []string `json:"attachments,omitempty"`
}

type escalateRequest struct {
	Reason string `json:"reason"`
	Agent  string `json:"agent,omitempty"`
}

type resolveRequest struct {
	ResolutionType string                `json:"resolution_type"`
	Summary        string                `json:"summary"`
	RootCause      string                `json:"root_cause"`
	Compensation   *redress.Compensation `json:"compensation,omitempty"`
	Agent          string                `json:"agent,omitempty"`
}

type mergeRequest struct {
	Into  string `json:"into"`
	Agent string `json:"agent,omitempty"`
}

type noteRequest struct {
	Message string `json:"message"`
	Agent   string `json:"agent,omitempty"`
}

func (s *Server) acknowledge(c echo.Context) error {
	var req agentRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	return answer(c)(s.desk.Acknowledge(c.Request().Context(), staffCall(c, ""), req.Agent))
}

func (s *Server) assign(c echo.Context) error {
	var req agentRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	return answer(c)(s.desk.Assign(c.Request().Context(), staffCall(c, ""), req.Agent))
}

func (s *Server) postUpdate(c echo.Context) error {
	var req updateRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	return answer(c)(s.desk.Reply(c.Request().Context(), staffCall(c, req.Agent),
		desk.Reply{Message: req.Message, WaitingOnCustomer: req.WaitingOnCustomer, Attachments: req.Attachments}))
}

func (s *Server) resolve(c echo.Context) error {
	var req resolveRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	return answer(c)(s.desk.Resolve(c.Request().Context(), staffCall(c, req.Agent), desk.Resolve{Type: req.ResolutionType,
		Summary: req.Summary, RootCause: req.RootCause, Compensation: req.Compensation}))
}

// addNote writes an internal note on the complaint, for staff only.
func (s *Server) addNote(c echo.Context) error {
	var req noteRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	return answer(c)(s.desk.Note(c.Request().Context(), staffCall(c, req.Agent), req.Message))
}

// merge ends the complaint, a duplicate, in the complaint into.
func (s *Server) merge(c echo.Context) error {
	var req mergeRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	return answer(c)(s.desk.Merge(c.Request().Context(), staffCall(c, req.Agent), req.Into))
}

func (s *Server) escalate(c echo.Context) error {
	var req escalateRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	return answer(c)(s.desk.Escalate(c.Request().Context(), staffCall(c, req.Agent), req.Reason))
}

// staffCall is the action of the request's key on the complaint in the path.
// The timeline names the agent the body gives, or else the key; it records
// the key as the credential either way.
func staffCall(c echo.Context, named string) desk.Call {
	key := caller(c)
	name := key.Name
	if named != "" {
		name = named
	}
	return desk.Call{ComplaintID: c.Param("id"), IdempotencyKey: c.Request().Header.Get("Idempotency-Key"),
		Actor: desk.Actor{Name: name, By: redress.ByKey(key.Name), Role: key.Role, Account: key.Name}}
}

// answer writes the complaint an action left, or its error.
func answer(c echo.Context) func(*redress.Complaint, error) error {
	return func(complaint *redress.Complaint, err error) error {
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, complaint)
	}
}

// answerStored writes what a create-or-find stored: 201 when it made it, 200
// when it found it there already.
func answerStored(c echo.Context, created bool, v any) error {
	if created {
		return c.JSON(http.StatusCreated, v)
	}
	return c.JSON(http.StatusOK, v)
}

type followUpRequest struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
	Agent   string `json:"agent"`
}

// recordFollowUp records what came of the account team's follow-up.
func (s *Server) recordFollowUp(c echo.Context) error {
	var req followUpRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	return answer(c)(s.desk.RecordFollowUp(c.Request().Context(), staffCall(c, req.Agent), req.Outcome, req.Note))
}
