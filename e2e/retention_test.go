package e2e

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/api/adminservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// forget deletes a complaint's workflow from Temporal at once, history and
// all, as retention does once it has finished (or as an operator might by
// mistake). It uses the admin service: the public delete is asynchronous.
func forget(t *testing.T, s *redresstest.Stack, id string) {
	t.Helper()
	conn, err := grpc.NewClient(s.Config.TemporalAddress, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	_, err = adminservice.NewAdminServiceClient(conn).DeleteWorkflowExecution(ctx, &adminservice.DeleteWorkflowExecutionRequest{
		Namespace: s.Config.TemporalNamespace, Execution: &common.WorkflowExecution{WorkflowId: redress.ComplaintWorkflowID(id)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.ComplaintWorkflowID(id), ""); !isNotFound(err) {
		t.Fatalf("the workflow is still there: %v", err)
	}
}

func isNotFound(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.As(err, &notFound)
}

func expectStatus(t *testing.T, what string, r *redresstest.Response, status int) {
	t.Helper()
	if r.Status != status || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s = %d %s; want %d problem+json", what, r.Status, r.Body, status)
	}
}

// A complaint whose workflow finished and was then removed by retention
// answers every old link and every retry from PostgreSQL, and never gets a
// second workflow.
func TestActionsAfterRetentionStartNoWorkflow(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: lifecyclePolicy})
	key := []string{"Idempotency-Key", "crm-retained-1"}
	body := newComplaint("crm-retained")
	c := file(t, s, body, key...)
	path, track := "/v1/complaints/"+c.ID, "/v1/track/"+c.TrackingToken
	ok(t, "resolve", s.Do("POST", path+"/resolve", "dev-agent", map[string]any{"resolution_type": "refund",
		"summary": "Refunded", "root_cause": "logistics"}), http.StatusOK)
	ok(t, "confirm", s.Do("POST", track+"/confirm", "", nil), http.StatusOK)
	survey := surveyToken(t, s, c.ID)
	ok(t, "survey", s.Do("POST", "/v1/surveys/"+survey, "", map[string]any{"score": 4}), http.StatusOK)
	ctx := context.Background()
	run := s.Temporal.GetWorkflow(ctx, redress.ComplaintWorkflowID(c.ID), "")
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("the complaint's workflow did not finish: %v", err)
	}
	forget(t, s, c.ID)
	before := s.Complaint(c.ID)

	expectStatus(t, "reply on an old link", s.Do("POST", track+"/reply", "", map[string]string{"message": "hello?"}), http.StatusConflict)
	expectStatus(t, "reopen on an old link", s.Do("POST", track+"/reopen", "", map[string]string{"reason": "broken again"}), http.StatusConflict)
	expectStatus(t, "confirm on an old link", s.Do("POST", track+"/confirm", "", nil), http.StatusConflict)
	expectStatus(t, "a used survey link", s.Do("POST", "/v1/surveys/"+survey, "", map[string]any{"score": 1}), http.StatusGone)
	expectStatus(t, "an agent's note", s.Do("POST", path+"/updates", "dev-agent", map[string]string{"message": "hi"}), http.StatusConflict)
	if r := s.Do("GET", track, "", nil); r.Status != http.StatusOK {
		t.Errorf("the tracking page of a retained complaint = %d %s", r.Status, r.Body)
	}
	replay := s.Do("POST", "/v1/complaints", "dev-intake", body, key...)
	if replay.Status != http.StatusCreated || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("intake retry = %d %s", replay.Status, replay.Body)
	}

	if _, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.ComplaintWorkflowID(c.ID), ""); !isNotFound(err) {
		t.Errorf("a second workflow was started for the complaint: %v", err)
	}
	if after := s.Complaint(c.ID); len(after.Timeline) != len(before.Timeline) || after.Status != redress.StatusClosed {
		t.Errorf("the record changed: %d lines, status %s; before %d lines", len(after.Timeline), after.Status, len(before.Timeline))
	}
}

// An open complaint whose workflow is gone (deleted by hand) is refused with
// a 409 naming its status, and no workflow is started behind its back.
func TestOpenComplaintWithoutItsWorkflowIsRefused(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	c := file(t, s, newComplaint("crm-lost-workflow"))
	ctx := context.Background()
	if err := s.Temporal.TerminateWorkflow(ctx, redress.ComplaintWorkflowID(c.ID), "", "test"); err != nil {
		t.Fatal(err)
	}
	forget(t, s, c.ID)
	r := s.Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"})
	expectStatus(t, "acknowledge", r, http.StatusConflict)
	if _, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.ComplaintWorkflowID(c.ID), ""); !isNotFound(err) {
		t.Errorf("a second workflow was started for the complaint: %v", err)
	}
}

// Temporal keeps a closed complaint's workflow for the configured retention
// (90 days by default), not the 24 hours a new namespace gets.
func TestNamespaceKeepsClosedWorkflowsForTheRetention(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	desc, err := s.Temporal.WorkflowService().DescribeNamespace(context.Background(),
		&workflowservice.DescribeNamespaceRequest{Namespace: s.Config.TemporalNamespace})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 90*24*time.Hour {
		t.Errorf("retention = %s, want 2160h (90 days)", got)
	}
}
