package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// runID is the complaint's current workflow run.
func runID(t *testing.T, s *redresstest.Stack, complaintID string) string {
	t.Helper()
	d, err := s.Temporal.DescribeWorkflowExecution(context.Background(), redress.ComplaintWorkflowID(complaintID), "")
	if err != nil {
		t.Fatal(err)
	}
	return d.WorkflowExecutionInfo.Execution.RunId
}

// A retry under the same Idempotency-Key is the first request's action,
// also when it reaches the next run of the complaint's workflow (Temporal
// knows Update ids within one run only) or a complaint whose workflow has
// ended; a note is written after the workflow ended, once.
func TestRetriesAcrossRunsAreAppliedOnce(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: `reopen_within: 2s`,
		ServerSettings: map[string]any{"history.maxTotalUpdates": 30}})
	c := file(t, s, newComplaint("crm-retry"))
	path, track := "/v1/complaints/"+c.ID, "/v1/track/"+c.TrackingToken
	ok(t, "acknowledge", s.Do("POST", path+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), http.StatusOK)
	escalate := func() *redresstest.Response {
		return s.Do("POST", path+"/escalate", "dev-agent", map[string]string{"reason": "the customer called twice"}, "Idempotency-Key", "esc-1")
	}
	note := func(message, key string) *redresstest.Response {
		return s.Do("POST", path+"/notes", "dev-agent", map[string]string{"message": message}, "Idempotency-Key", key)
	}
	ok(t, "escalate", escalate(), http.StatusOK)
	ok(t, "note", note("called the courier", "note-1"), http.StatusOK)
	first := runID(t, s, c.ID)
	for i := range 30 {
		ok(t, "reply", s.Do("POST", track+"/reply", "", map[string]string{"message": fmt.Sprintf("still waiting %d", i)}), http.StatusOK)
	}
	if runID(t, s, c.ID) == first {
		t.Fatal("the workflow did not continue as new")
	}

	ok(t, "escalate again", escalate(), http.StatusOK)
	ok(t, "note again", note("called the courier", "note-1"), http.StatusOK)
	got := s.Complaint(c.ID)
	if got.EscalationLevel != 1 || count(got, redress.KindEscalated) != 1 || count(got, redress.KindNote) != 1 {
		t.Errorf("after retries in the next run: level %d, %d escalations, %d notes; want 1 of each",
			got.EscalationLevel, count(got, redress.KindEscalated), count(got, redress.KindNote))
	}
	resolve := func() *redresstest.Response {
		return s.Do("POST", path+"/resolve", "dev-agent", map[string]any{"resolution_type": "refund", "summary": "Refunded",
			"root_cause": "logistics"}, "Idempotency-Key", "res-1")
	}
	ok(t, "resolve", resolve(), http.StatusOK)
	ok(t, "resolve again", resolve(), http.StatusOK)

	// Closed and surveyed: the workflow ends; notes are still written.
	ok(t, "confirm", s.Do("POST", track+"/confirm", "", nil), http.StatusOK)
	ok(t, "survey", s.Do("POST", "/v1/surveys/"+surveyToken(t, s, c.ID), "", map[string]any{"score": 5}), http.StatusOK)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		d, err := s.Temporal.DescribeWorkflowExecution(context.Background(), redress.ComplaintWorkflowID(c.ID), "")
		if err == nil && d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the complaint's workflow did not end")
		}
	}
	ok(t, "resolve after the end", resolve(), http.StatusOK)
	ok(t, "note after the end", note("customer called to say thanks", "late-1"), http.StatusOK)
	ok(t, "the same note again", note("customer called to say thanks", "late-1"), http.StatusOK)
	ok(t, "another note", note("closing the file", ""), http.StatusOK)
	got = s.Complaint(c.ID)
	var late []redress.TimelineEntry
	for _, e := range got.Timeline {
		if e.Kind == redress.KindNote && e.Detail != "called the courier" {
			late = append(late, e)
		}
	}
	if len(late) != 2 || late[0].Detail != "customer called to say thanks" || late[0].By != redress.ByKey("dev-agent") || late[0].Public {
		t.Errorf("notes after the end: %+v; want the two notes, internal, by key:dev-agent", late)
	}
	if r := s.Do("GET", "/v1/track/"+c.TrackingToken, "", nil); strings.Contains(string(r.Body), "say thanks") {
		t.Errorf("the customer sees an internal note: %s", r.Body)
	}
	if r := s.Do("POST", path+"/escalate", "dev-agent", map[string]string{"reason": "again"}); r.Status != http.StatusConflict {
		t.Errorf("a new escalation of a closed complaint = %d %s, want 409", r.Status, r.Body)
	}
}
