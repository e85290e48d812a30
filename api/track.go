package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/workflows"
)

// trackingView is what a customer may see of their complaint: no internal
// notes, no root cause, no staff data.
type trackingView struct {
	ID             string              `json:"id"`
	Status         redress.Status      `json:"status"`
	Category       redress.Category    `json:"category"`
	Subject        string              `json:"subject"`
	CreatedAt      time.Time           `json:"created_at"`
	AckDueAt       *time.Time          `json:"ack_due_at"`
	ResolveDueAt   *time.Time          `json:"resolve_due_at"`
	AcknowledgedAt *time.Time          `json:"acknowledged_at"`
	ResolvedAt     *time.Time          `json:"resolved_at"`
	ClosedAt       *time.Time          `json:"closed_at"`
	Resolution     *customerSettlement `json:"resolution"`
	Survey         string              `json:"survey_status"`
	Timeline       []publicEntry       `json:"timeline"`
	// Attachments are the files the customer may see (their own, and staff
	// files sent with a reply), which their link downloads at
	// /v1/track/{token}/attachments/{id}.
	Attachments []redress.Attachment `json:"attachments"`
	// ContinuedAt is, for a complaint merged into another, the tracking
	// link of the one it goes on in.
	ContinuedAt string `json:"continued_at,omitempty"`
}

type customerSettlement struct {
	Type         string                `json:"resolution_type"`
	Summary      string                `json:"summary"`
	Compensation *redress.Compensation `json:"compensation,omitempty"`
}

// publicEntry is a public line as the customer sees it: its detail only
// where it is written for them (redress.CustomerReadsDetail).
type publicEntry struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Detail string    `json:"detail,omitempty"`
}

// customerViewOf is the customer's view, with the link to follow when the
// complaint was merged into another.
func (s *Server) customerViewOf(c *redress.Complaint) trackingView {
	v := customerView(c)
	if c.MergedInto != "" {
		v.ContinuedAt = s.tokens.TrackingURL(s.tokens.Tracking(c.MergedInto))
	}
	return v
}

func customerView(c *redress.Complaint) trackingView {
	v := trackingView{ID: c.ID, Status: c.Status, Category: c.Category, Subject: c.Subject, CreatedAt: c.CreatedAt,
		AckDueAt: c.AckDueAt, ResolveDueAt: c.ResolveDueAt, AcknowledgedAt: c.AcknowledgedAt, ResolvedAt: c.ResolvedAt,
		ClosedAt: c.ClosedAt, Survey: c.Survey.Status, Timeline: []publicEntry{}, Attachments: []redress.Attachment{}}
	if r := c.Resolution; r != nil {
		v.Resolution = &customerSettlement{Type: r.Type, Summary: r.Summary, Compensation: r.Compensation}
	}
	for _, a := range c.Attachments {
		if a.ShownToCustomer() {
			v.Attachments = append(v.Attachments, a)
		}
	}
	for _, e := range c.Timeline {
		// Both must hold: a kind made internal since a line was written
		// stays hidden too.
		if e.Public && redress.PublicKind(e.Kind) && !oldEscalationWithReason(e) {
			entry := publicEntry{At: e.At, Kind: e.Kind}
			if redress.CustomerReadsDetail(e.Kind) {
				entry.Detail = e.Detail
			}
			v.Timeline = append(v.Timeline, entry)
		}
	}
	return v
}

// oldEscalationWithReason is an escalation line in the format from before
// reasons had an internal line of their own ("Escalated to level 2
// (managers notified): <reason>"). Migration 0007 hid those it found; a
// worker not yet upgraded may still write one during a rolling upgrade.
func oldEscalationWithReason(e redress.TimelineEntry) bool {
	return e.Kind == redress.KindEscalated && strings.Contains(e.Detail, " notified): ")
}

// trackedComplaint opens the complaint a tracking token belongs to; a link
// whose complaint closed longer than links.valid_after_close ago opens
// nothing (EGONE).
func (s *Server) trackedComplaint(ctx context.Context, token string) (*redress.Complaint, error) {
	id, err := s.db.ComplaintIDByTrackingToken(ctx, tokens.Hash(token))
	if err != nil {
		return nil, err
	}
	c, err := s.db.Complaint(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.ClosedAt != nil && time.Since(*c.ClosedAt) > s.policy.Links.ValidAfterClose.D() {
		return nil, redress.Errorf(redress.EGONE, "this link has expired: the complaint closed more than %s ago", s.policy.Links.ValidAfterClose)
	}
	return c, nil
}

func (s *Server) track(c echo.Context) error {
	complaint, err := s.trackedComplaint(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.customerViewOf(complaint))
}

type messageRequest struct {
	Message string `json:"message"`
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) customerReply(c echo.Context) error {
	var req messageRequest
	if err := bindAndCheck(c, &req, func(ch *redress.Checker) { ch.Text("message", req.Message, true, redress.MaxMessage) }); err != nil {
		return err
	}
	return s.customerAct(c, workflows.CustomerReplyUpdate, workflows.CustomerMessageInput{Message: req.Message})
}

func (s *Server) confirm(c echo.Context) error {
	var empty struct{} // no body is needed; an empty JSON object is fine too
	if err := bindOptional(c, &empty); err != nil {
		return err
	}
	return s.customerAct(c, workflows.ConfirmUpdate, nil)
}

func (s *Server) reopen(c echo.Context) error {
	var req reasonRequest
	if err := bindAndCheck(c, &req, func(ch *redress.Checker) { ch.Text("reason", req.Reason, true, redress.MaxMessage) }); err != nil {
		return err
	}
	return s.customerAct(c, workflows.ReopenUpdate, workflows.CustomerMessageInput{Message: req.Reason})
}

// customerAct runs a customer's action and answers with their view.
func (s *Server) customerAct(c echo.Context, update string, arg any) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), desk.ActionTimeout)
	defer cancel()
	complaint, err := s.trackedComplaint(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	if err := s.customerUpdate(ctx, c, complaint.ID, update, arg); err != nil {
		return err
	}
	updated, err := s.db.Complaint(ctx, complaint.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.customerViewOf(updated))
}

type surveyRequest struct {
	Score   int    `json:"score"`
	Comment string `json:"comment,omitempty"`
}

func (s *Server) answerSurvey(c echo.Context) error {
	var req surveyRequest
	if err := bindAndCheck(c, &req, func(ch *redress.Checker) {
		if req.Score < 1 || req.Score > 5 {
			ch.Fail("score", "must be a whole number from 1 to 5")
		}
		ch.Text("comment", req.Comment, false, 2000)
	}); err != nil {
		return err
	}
	survey, err := s.submitSurvey(c, c.Param("token"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, survey)
}

// submitSurvey records a survey answer once: a used or expired link is
// EGONE. The JSON endpoint and the survey page share it.
func (s *Server) submitSurvey(c echo.Context, token string, req surveyRequest) (*redress.Survey, error) {
	ctx, cancel := context.WithTimeout(c.Request().Context(), desk.ActionTimeout)
	defer cancel()
	id, err := s.db.ComplaintIDBySurveyToken(ctx, tokens.Hash(token))
	if err != nil {
		return nil, err
	}
	complaint, err := s.db.Complaint(ctx, id)
	if err != nil {
		return nil, err
	}
	if st := complaint.Survey.Status; st == redress.SurveyAnswered || st == redress.SurveyExpired {
		return nil, redress.Errorf(redress.EGONE, "this survey link was already used or has expired (%s)", st)
	}
	if err := s.customerUpdate(ctx, c, complaint.ID, workflows.AnswerSurveyUpdate,
		workflows.SurveyAnswer{Score: req.Score, Comment: req.Comment}); err != nil {
		return nil, err
	}
	updated, err := s.db.Complaint(ctx, id)
	if err != nil {
		return nil, err
	}
	return &updated.Survey, nil
}

// customerUpdate runs a customer's action on the complaint's workflow; a
// retry under the same Idempotency-Key is applied once.
func (s *Server) customerUpdate(ctx context.Context, c echo.Context, complaintID, update string, arg any) error {
	updateID := c.Request().Header.Get("Idempotency-Key")
	if err := desk.ValidIdempotencyKey(updateID); err != nil {
		return err
	}
	if updateID != "" {
		updateID = workflows.KeyedUpdateID(update, "customer", updateID)
	}
	return s.desk.Update(ctx, complaintID, updateID, update, arg)
}
