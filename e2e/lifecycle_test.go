package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

type created struct {
	redress.Complaint
	TrackingToken string `json:"tracking_token"`
}

func file(t *testing.T, s *redresstest.Stack, body map[string]any, headers ...string) created {
	t.Helper()
	r := s.Do("POST", "/v1/complaints", "dev-intake", body, headers...)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /v1/complaints = %d %s", r.Status, r.Body)
	}
	var c created
	r.JSON(t, &c)
	return c
}

func kinds(c *redress.Complaint) string {
	var k []string
	for _, e := range c.Timeline {
		k = append(k, e.Kind)
	}
	return strings.Join(k, ",")
}

func TestIntakeThroughBreachEscalation(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: fastPolicy})
	body := newComplaint("crm-7")
	body["customer"].(map[string]any)["tier"] = "silver"
	c := file(t, s, body)

	if c.Status != redress.StatusReceived || c.Category != redress.CategoryDelivery || c.Priority != redress.P3 {
		t.Errorf("filed: status %s, category %s, priority %s", c.Status, c.Category, c.Priority)
	}
	if len(c.TrackingToken) < 22 || c.AckDueAt == nil || !c.AckDueAt.Equal(c.CreatedAt.Add(3*time.Second)) {
		t.Errorf("token %q, ack due %v", c.TrackingToken, c.AckDueAt)
	}
	if got := s.Complaint(c.ID); got.ID != c.ID || kinds(got) != "received" || got.Subject != "Parcel never arrived" {
		t.Errorf("GET = %+v", got)
	}

	// Nobody acknowledges: warned at half the window, escalated at its end,
	// and again when the level-1 window runs out.
	escalated := s.WaitFor(c.ID, 15*time.Second, "two escalations", func(c *redress.Complaint) bool { return c.EscalationLevel >= 2 })
	if !escalated.SLABreached || !strings.HasPrefix(kinds(escalated), "received,ack_warning,sla_breached,escalated,escalation_reason,ack_warning,sla_breached,escalated,escalation_reason") {
		t.Errorf("breached %v, timeline %s", escalated.SLABreached, kinds(escalated))
	}
	events, err := s.DB.Events(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	if got := strings.Join(types, ","); !strings.HasPrefix(got, "complaint.received,complaint.ack_warning,complaint.escalated,complaint.ack_warning,complaint.escalated") {
		t.Errorf("outbox = %s", got)
	}
	if url, ok := events[0].Data["tracking_url"]; ok {
		t.Errorf("the outbox holds the tracking link %q: a customer's credential in the database", url)
	}

	// The Web UI's query finds it through the search attributes.
	query := `ComplaintPriority="P3" AND SLABreached=true AND EscalationLevel>=2 AND ComplaintStatus="received" AND CustomerTier="silver"`
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := s.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Executions) == 1 && resp.Executions[0].Execution.WorkflowId == "complaint-"+c.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("visibility query %s found %d workflows", query, len(resp.Executions))
		}
		time.Sleep(200 * time.Millisecond)
	}

	// An acknowledgement now stops the acknowledgement clock.
	if r := s.Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}); r.Status != http.StatusOK {
		t.Fatalf("acknowledge = %d %s", r.Status, r.Body)
	}
	acked := s.Complaint(c.ID)
	if acked.Status != redress.StatusAcknowledged || acked.AckDueAt != nil || acked.AcknowledgedAt == nil || acked.Assignee != "ana" {
		t.Errorf("after acknowledging: %+v", acked.State)
	}
}

func TestAgentActions(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	c := file(t, s, newComplaint("crm-8"))
	path := "/v1/complaints/" + c.ID

	steps := []struct {
		name   string
		action string
		key    string
		body   any
		status int
		detail string
	}{
		{"assign needs a supervisor", "/assign", "dev-agent", map[string]string{"agent": "bo"}, 403, "supervisor"},
		{"no key", "/acknowledge", "", map[string]string{"agent": "ana"}, 401, "Bearer"},
		{"wrong key", "/acknowledge", "nope", map[string]string{"agent": "ana"}, 401, "not valid"},
		{"acknowledge without an agent", "/acknowledge", "dev-agent", map[string]string{"agent": " "}, 422, "agent"},
		{"acknowledge", "/acknowledge", "dev-agent", map[string]string{"agent": "ana"}, 200, ""},
		{"acknowledge twice", "/acknowledge", "dev-agent", map[string]string{"agent": "ana"}, 409, "status is acknowledged"},
		{"assign", "/assign", "dev-supervisor", map[string]string{"agent": "bo"}, 200, ""},
		{"ask the customer", "/updates", "dev-agent", map[string]any{"message": "Please send a photo", "waiting_on_customer": true}, 200, ""},
		{"escalate without a reason", "/escalate", "dev-agent", map[string]string{"reason": ""}, 422, "reason"},
		{"escalate", "/escalate", "dev-agent", map[string]string{"reason": "customer is a journalist", "agent": "bo"}, 200, ""},
		{"escalate", "/escalate", "dev-supervisor", map[string]string{"reason": "legal"}, 200, ""},
		{"escalate", "/escalate", "dev-admin", map[string]string{"reason": "press"}, 200, ""},
		{"escalate past the top", "/escalate", "dev-admin", map[string]string{"reason": "more"}, 409, "top of the ladder"},
	}
	for _, st := range steps {
		r := s.Do("POST", path+st.action, st.key, st.body)
		if r.Status != st.status || !strings.Contains(string(r.Body), st.detail) {
			t.Errorf("%s: %d %s; want %d mentioning %q", st.name, r.Status, r.Body, st.status, st.detail)
		}
		if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: content type %q", st.name, r.Header.Get("Content-Type"))
		}
	}
	got := s.Complaint(c.ID)
	if got.Status != redress.StatusWaitingOnCustomer || got.Assignee != "bo" || got.EscalationLevel != 3 || got.ResolveDueAt != nil {
		t.Errorf("state = %+v", got.State)
	}
	if k := kinds(got); k != "received,acknowledged,assigned,update,escalated,escalation_reason,escalated,escalation_reason,escalated,escalation_reason" {
		t.Errorf("timeline = %s", k)
	}
	if got.Timeline[4].Actor != "bo" || got.Timeline[6].Actor != "dev-supervisor" || !strings.Contains(got.Timeline[5].Detail, "journalist") {
		t.Errorf("escalations: %+v", got.Timeline[4:8])
	}
	// Whatever agent a body names, the timeline records the key that acted.
	for i, want := range []string{"key:dev-intake", "key:dev-agent", "key:dev-supervisor", "key:dev-agent", "key:dev-agent",
		"key:dev-agent", "key:dev-supervisor", "key:dev-supervisor", "key:dev-admin", "key:dev-admin"} {
		if got.Timeline[i].By != want {
			t.Errorf("line %d (%s, actor %s) made by %q, want %q", i, got.Timeline[i].Kind, got.Timeline[i].Actor, got.Timeline[i].By, want)
		}
	}
	// The customer sees that it was escalated, never why.
	for _, view := range []string{"/v1/track/" + c.TrackingToken, "/track/" + c.TrackingToken} {
		r := s.Do("GET", view, "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "escalated") && !strings.Contains(string(r.Body), "senior") {
			t.Errorf("GET %s = %d %s", view, r.Status, r.Body)
		}
		for _, reason := range []string{"journalist", "legal", "press", "notified"} {
			if strings.Contains(string(r.Body), reason) {
				t.Errorf("GET %s shows the customer the internal %q", view, reason)
			}
		}
	}

	for _, p := range []string{"/v1/complaints/01a20000-0000-7000-8000-000000000000", "/v1/complaints/not-an-id"} {
		if r := s.Do("GET", p, "dev-agent", nil); r.Status != 404 {
			t.Errorf("GET %s = %d", p, r.Status)
		}
		if r := s.Do("POST", p+"/acknowledge", "dev-agent", map[string]string{"agent": "a"}); r.Status != 404 {
			t.Errorf("acknowledge %s = %d", p, r.Status)
		}
	}
}

func TestActionRetryUnderIdempotencyKeyAppliesOnce(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	c := file(t, s, newComplaint("crm-9"))
	for range 3 {
		r := s.Do("POST", "/v1/complaints/"+c.ID+"/updates", "dev-agent", map[string]string{"message": "On it"}, "Idempotency-Key", "note-1")
		if r.Status != http.StatusOK {
			t.Fatalf("update = %d %s", r.Status, r.Body)
		}
	}
	if k := kinds(s.Complaint(c.ID)); k != "received,acknowledged,update" {
		t.Errorf("timeline = %s; a retried update must apply once", k)
	}
}
