package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// followUpPolicy follows up P3 complaints 3 seconds after their resolution.
const followUpPolicy = `
reopen_within: 1h
survey: {remind_after: 1h, expire_after: 2h}
followup: {after: 3s, priorities: [P3]}
`

// Follow-up visits (SPEC section 13): a resolution schedules the account
// team's follow-up; the complaint's workflow lasts until it falls due and
// then tells the team; the console lists it, overdue; the team records it
// once over the API; analytics count it; an intake key never sees it.
func TestFollowUpVisits(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: followUpPolicy})
	s.AddStaff("ana@example.com", "Ana Agent", "agent", staffPassword)
	ctx := context.Background()
	c := file(t, s, newComplaint("crm-followup"))
	path := "/v1/complaints/" + c.ID
	ok(t, "record before any resolution", s.Do("POST", path+"/followup", "dev-agent", map[string]any{"outcome": "satisfied"}), 409)
	var resolved redress.Complaint
	ok(t, "resolve", s.Do("POST", path+"/resolve", "dev-agent", map[string]any{
		"resolution_type": "apology", "summary": "Sorry", "root_cause": "logistics"}), 200).JSON(t, &resolved)
	if resolved.FollowUpDueAt == nil || resolved.FollowUpDueAt.Sub(*resolved.ResolvedAt) != 3*time.Second {
		t.Fatalf("after the resolution: follow-up due %v, resolved %v", resolved.FollowUpDueAt, resolved.ResolvedAt)
	}
	ok(t, "confirm", s.Do("POST", "/v1/track/"+c.TrackingToken+"/confirm", "", nil), 200)
	ok(t, "survey", s.Do("POST", "/v1/surveys/"+surveyToken(t, s, c.ID), "", map[string]any{"score": 5}), 200)

	// The survey is answered; the run waits for the follow-up, then ends.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		d, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.ComplaintWorkflowID(c.ID), "")
		if err != nil {
			t.Fatal(err)
		}
		if d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the workflow is %s 20 s after the follow-up fell due", d.WorkflowExecutionInfo.Status)
		}
	}
	events, err := s.DB.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var due []redress.Event
	for _, e := range events {
		if e.Type == redress.EventFollowUpDue {
			due = append(due, e)
		}
	}
	if len(due) != 1 || due[0].OccurredAt.Before(*resolved.FollowUpDueAt) {
		t.Errorf("follow-up due events: %+v", due)
	}

	ana := s.SignIn("ana@example.com", staffPassword)
	if p := ana.Get("/console/followups"); p.Status != http.StatusOK || !strings.Contains(p.Body, c.ID) || !strings.Contains(p.Body, "overdue") {
		t.Errorf("the console's follow-ups: %d, lists the complaint %v, overdue %v", p.Status, strings.Contains(p.Body, c.ID), strings.Contains(p.Body, "overdue"))
	}
	if p := ana.Get("/console/complaints/" + c.ID); !strings.Contains(p.Body, `id="followup-record"`) {
		t.Errorf("the complaint page offers no follow-up to record")
	}

	ok(t, "an unknown outcome", s.Do("POST", path+"/followup", "dev-agent", map[string]any{"outcome": "great"}), 422)
	ok(t, "an intake key", s.Do("POST", path+"/followup", "dev-intake", map[string]any{"outcome": "satisfied"}), 403)
	var recorded redress.Complaint
	ok(t, "record", s.Do("POST", path+"/followup", "dev-agent", map[string]any{"outcome": "satisfied", "note": "Called Li Wei, all well"}), 200).JSON(t, &recorded)
	if f := recorded.FollowUp; f == nil || f.Outcome != "satisfied" || f.Note != "Called Li Wei, all well" || f.RecordedBy != "key:dev-agent" {
		t.Errorf("the recorded follow-up: %+v", f)
	}
	ok(t, "record again", s.Do("POST", path+"/followup", "dev-agent", map[string]any{"outcome": "not_reached"}), 409)
	if p := ana.Get("/console/followups"); strings.Contains(p.Body, c.ID) {
		t.Errorf("a recorded follow-up is still in the queue")
	}
	var filer map[string]any
	ok(t, "the intake key's read", s.Do("GET", path, "dev-intake", nil), 200).JSON(t, &filer)
	if filer["followup"] != nil || filer["followup_due_at"] != nil {
		t.Errorf("the intake key reads the follow-up: %v, %v", filer["followup"], filer["followup_due_at"])
	}
	var figures postgres.FollowUpFigures
	ok(t, "analytics", s.Do("GET", "/v1/analytics/followups", "dev-supervisor", nil), 200).JSON(t, &figures)
	if figures.Due != 1 || figures.Recorded != 1 || figures.Rate == nil || *figures.Rate != 1 || figures.Outcomes["satisfied"] != 1 {
		t.Errorf("follow-up analytics: %+v", figures)
	}
}
