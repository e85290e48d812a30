package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/workflows"
)

type campaignRequest struct {
	DryRun bool `json:"dry_run,omitempty"`
	Limit  *int `json:"limit,omitempty"`
}

// campaignView is a campaign as the API shows it.
type campaignView struct {
	ID       string                      `json:"id"`
	Status   string                      `json:"status"` // running, completed, failed
	Progress *workflows.CampaignProgress `json:"progress"`
}

// startCampaign runs a retention campaign now; without a limit it takes
// the policy's campaign.max_customers. The answer is 202: poll GET.
func (s *Server) startCampaign(c echo.Context) error {
	var req campaignRequest
	if err := bindOptional(c, &req); err != nil {
		return err
	}
	limit := s.policy.Campaign.MaxCustomers
	if req.Limit != nil {
		limit = *req.Limit
		if limit < 1 || limit > redress.MaxCampaignCustomers {
			return redress.Invalid(redress.FieldError{Field: "limit", Message: fmt.Sprintf("must be from 1 to %d", redress.MaxCampaignCustomers)})
		}
	}
	id := uuid.Must(uuid.NewV7()).String()
	ctx, cancel := context.WithTimeout(c.Request().Context(), campaignStartTimeout)
	defer cancel()
	_, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CampaignWorkflowID(id), TaskQueue: workflows.TaskQueue},
		"Campaign", workflows.CampaignInput{DryRun: req.DryRun, Limit: limit, Policy: s.policy.Winback})
	if err != nil {
		return desk.TemporalError(err)
	}
	progress := workflows.CampaignProgress{Status: workflows.CampaignScoring, DryRun: req.DryRun, Candidates: []workflows.CampaignCandidate{}}
	return c.JSON(http.StatusAccepted, campaignView{ID: id, Status: "running", Progress: &progress})
}

// keptCampaign answers with a finished campaign's result from PostgreSQL.
func (s *Server) keptCampaign(c echo.Context, id string) error {
	result, err := s.db.CampaignResult(c.Request().Context(), id)
	if err != nil {
		return err
	}
	var progress workflows.CampaignProgress
	if err := json.Unmarshal(result, &progress); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, campaignView{ID: id, Status: "completed", Progress: &progress})
}

// campaignStartTimeout bounds the wait for Temporal to take a campaign.
const campaignStartTimeout = 10 * time.Second

// getCampaign shows a campaign's progress while it runs and its result after.
// Scheduled campaigns have ids like scheduled-2026-11-23T01:00:00Z.
func (s *Server) getCampaign(c echo.Context) error {
	id := c.Param("id")
	if strings.ContainsAny(id, "/ ") || len(id) > 100 {
		return redress.Errorf(redress.ENOTFOUND, "no campaign %q", id)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), desk.ActionTimeout)
	defer cancel()
	wid := workflows.CampaignWorkflowID(id)
	desc, err := s.temporal.DescribeWorkflowExecution(ctx, wid, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		// Gone with Temporal's retention: its result was kept.
		return s.keptCampaign(c, id)
	}
	if err != nil {
		return desk.TemporalError(err)
	}
	view := campaignView{ID: id}
	var progress workflows.CampaignProgress
	switch desc.WorkflowExecutionInfo.Status {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		view.Status = "running"
		v, err := s.temporal.QueryWorkflow(ctx, wid, "", workflows.CampaignProgressQuery)
		if err != nil {
			return desk.TemporalError(err)
		}
		if err := v.Get(&progress); err != nil {
			return err
		}
		view.Progress = &progress
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		view.Status = "completed"
		if err := s.temporal.GetWorkflow(ctx, wid, "").Get(ctx, &progress); err != nil {
			return desk.TemporalError(err)
		}
		view.Progress = &progress
	default:
		view.Status = "failed"
	}
	return c.JSON(http.StatusOK, view)
}
