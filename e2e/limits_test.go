package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// A complaint takes more Updates than one workflow run can hold: the server
// here allows 30 per run (2,000 by default) and suggests continuing as new
// at 90% of it. The workflow continues as new with its whole state, so the
// customer's every reply lands, and the agent can still resolve it.
func TestMoreActionsThanOneRunHolds(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{
		ServerSettings: map[string]any{"history.maxTotalUpdates": 30}})
	c := file(t, s, newComplaint("crm-chatty"))
	path, track := "/v1/complaints/"+c.ID, "/v1/track/"+c.TrackingToken
	ok(t, "acknowledge", s.Do("POST", path+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), http.StatusOK)
	ok(t, "wait on the customer", s.Do("POST", path+"/updates", "dev-agent",
		map[string]any{"message": "Please send photos", "waiting_on_customer": true}), http.StatusOK)
	const replies = 75
	for i := range replies {
		ok(t, fmt.Sprintf("reply %d", i+1), s.Do("POST", track+"/reply", "", map[string]string{"message": fmt.Sprintf("photo %d", i+1)}), http.StatusOK)
	}
	resolved := ok(t, "resolve", s.Do("POST", path+"/resolve", "dev-agent", map[string]any{"resolution_type": "replacement",
		"summary": "A new kettle is on its way", "root_cause": "product_defect"}), http.StatusOK)
	var got redress.Complaint
	resolved.JSON(t, &got)
	if got.Status != redress.StatusResolved {
		t.Errorf("after %d replies the agent could not resolve: %s", replies, got.Status)
	}
	n := 0
	for _, e := range got.Timeline {
		if e.Kind == "customer_reply" {
			n++
		}
	}
	if n != replies {
		t.Errorf("%d replies in the timeline, want %d", n, replies)
	}

	// Visibility catches up a moment after each run closes.
	query := fmt.Sprintf("WorkflowId = '%s' AND ExecutionStatus = 'ContinuedAsNew'", redress.ComplaintWorkflowID(c.ID))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		runs, err := s.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(runs.GetExecutions()); n >= 2 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("%d runs continued as new, want at least 2 for %d Updates at 30 a run", n, replies+3)
		}
	}
	// The run that carries on keeps the search attributes the Web UI asks.
	query = fmt.Sprintf("WorkflowId = '%s' AND ExecutionStatus = 'Running' AND ComplaintStatus = 'resolved' AND ComplaintPriority = '%s'",
		redress.ComplaintWorkflowID(c.ID), got.Priority)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		runs, err := s.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs.GetExecutions()) == 1 {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("no running run answers %s", query)
		}
	}
}
