package e2e

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/workflows"
)

// retentionPolicy erases what complaints closed 3 seconds ago held.
const retentionPolicy = `
reopen_within: 2s
survey: {remind_after: 1s, expire_after: 2s}
retention: {anonymize_closed_after: 3s, cron: "15 4 * * *"}
`

// Retention (SPEC section 12): the policy puts a Schedule in Temporal; a
// run anonymizes the complaints closed longer ago than the policy keeps
// them, once their workflow has ended, and erases a customer left with
// nothing; an open complaint, and its customer, keep everything.
func TestRetentionAnonymizesClosedComplaints(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: retentionPolicy})
	ctx := context.Background()
	d, err := s.Temporal.ScheduleClient().GetHandle(ctx, workflows.RetentionScheduleID).Describe(ctx)
	if err != nil {
		t.Fatalf("the retention schedule: %v", err)
	}
	if spec := d.Schedule.Spec; len(spec.Calendars) != 1 || spec.Calendars[0].Minute[0].Start != 15 ||
		spec.Calendars[0].Hour[0].Start != 4 || spec.TimeZoneName != "Asia/Shanghai" {
		t.Errorf("the schedule's spec: %+v", spec)
	}

	old := file(t, s, newComplaint("crm-retention-old"))
	open := file(t, s, newComplaint("crm-retention-open"))
	path, track := "/v1/complaints/"+old.ID, "/v1/track/"+old.TrackingToken
	ok(t, "resolve", s.Do("POST", path+"/resolve", "dev-agent", map[string]any{
		"resolution_type": "apology", "summary": "Said sorry to Li Wei", "root_cause": "logistics"}), 200)
	ok(t, "confirm", s.Do("POST", track+"/confirm", "", nil), 200)
	ok(t, "survey", s.Do("POST", "/v1/surveys/"+surveyToken(t, s, old.ID), "", map[string]any{"score": 5, "comment": "Li Wei is happy"}), 200)
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.ComplaintWorkflowID(old.ID), "")
		if err == nil && d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the closed complaint's workflow has not ended: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // past anonymize_closed_after

	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "retention-test", TaskQueue: workflows.TaskQueue},
		"Retention", workflows.RetentionInput{After: redress.Duration(3 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	var result workflows.RetentionResult
	if err := run.Get(ctx, &result); err != nil {
		t.Fatal(err)
	}
	if result.Anonymized != 1 || result.Erasures != 1 {
		t.Errorf("retention did %+v; want one complaint anonymized and its customer erased", result)
	}
	got := s.Complaint(old.ID)
	if got.Subject != "" || got.Description != "" || got.Resolution.Summary != "" || got.Survey.Comment != "" ||
		got.Status != redress.StatusClosed || *got.Survey.Score != 5 || got.Resolution.RootCause != "logistics" {
		t.Errorf("the anonymized complaint: %+v", got)
	}
	ok(t, "its link", s.Do("GET", track, "", nil), 410)
	kept := s.Complaint(open.ID)
	if kept.Subject != "Parcel never arrived" || kept.Description == "" {
		t.Errorf("the open complaint lost its data: %+v", kept)
	}
	var cu redress.Customer
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(500 * time.Millisecond) {
		s.Do("GET", "/v1/customers/"+old.CustomerID, "dev-agent", nil).JSON(t, &cu)
		if cu.ErasedAt != nil || time.Now().After(deadline) {
			break
		}
	}
	if cu.ErasedAt == nil || cu.Name != "" || cu.Email != "" {
		t.Errorf("the customer with nothing kept: %+v", cu)
	}
	var other redress.Customer
	s.Do("GET", "/v1/customers/"+open.CustomerID, "dev-agent", nil).JSON(t, &other)
	if other.Erasure != nil || other.Email != "crm-retention-open@example.com" {
		t.Errorf("the customer of the open complaint: %+v", other)
	}
}
