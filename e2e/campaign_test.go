package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/workflows"
)

type campaign struct {
	ID       string                      `json:"id"`
	Status   string                      `json:"status"`
	Progress *workflows.CampaignProgress `json:"progress"`
}

func runCampaign(t *testing.T, s *redresstest.Stack, body any) campaign {
	t.Helper()
	var c campaign
	ok(t, "start campaign", s.Do("POST", "/v1/campaigns", "dev-admin", body), http.StatusAccepted).JSON(t, &c)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok(t, "campaign", s.Do("GET", "/v1/campaigns/"+c.ID, "dev-admin", nil), 200).JSON(t, &c)
		if c.Status == "completed" {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("campaign still %s: %+v", c.Status, c.Progress)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestRetentionCampaign(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: `campaign: {cron: "30 2 * * *", max_customers: 50}`})
	open := file(t, s, newComplaint("crm-churn-1"))
	body := newComplaint("crm-churn-2")
	body["customer"].(map[string]any)["tier"] = "diamond"
	other := file(t, s, body)
	ok(t, "escalate", s.Do("POST", "/v1/complaints/"+other.ID+"/escalate", "dev-agent", map[string]string{"reason": "angry"}), 200)

	ok(t, "campaign as a supervisor", s.Do("POST", "/v1/campaigns", "dev-supervisor", nil), http.StatusForbidden)
	ok(t, "campaign with a bad limit", s.Do("POST", "/v1/campaigns", "dev-admin", map[string]any{"limit": -3}), 422)
	ok(t, "unknown campaign", s.Do("GET", "/v1/campaigns/nope", "dev-admin", nil), 404)

	dry := runCampaign(t, s, map[string]any{"dry_run": true})
	p := dry.Progress
	if !p.DryRun || p.Total != 2 || p.Started != 0 || p.Candidates[0].CustomerID != other.CustomerID || p.Candidates[0].Outcome != workflows.OutcomeWouldStart {
		t.Fatalf("dry run = %+v", p)
	}
	if _, err := s.Temporal.DescribeWorkflowExecution(context.Background(), redress.WinbackWorkflowID(other.CustomerID), ""); err == nil {
		t.Error("a dry run started a win-back")
	}

	real := runCampaign(t, s, nil)
	if real.Progress.Started != 2 || real.Progress.Total != 2 {
		t.Fatalf("campaign = %+v", real.Progress)
	}
	for _, cu := range []string{open.CustomerID, other.CustomerID} {
		if _, err := s.Temporal.DescribeWorkflowExecution(context.Background(), redress.WinbackWorkflowID(cu), ""); err != nil {
			t.Errorf("no win-back for %s: %v", cu, err)
		}
	}
	// Customers with a win-back under way are not chosen again; and were
	// they, Temporal would refuse a second one.
	again := runCampaign(t, s, map[string]any{"limit": 5})
	if again.Progress.Started != 0 {
		t.Errorf("a second campaign = %+v", again.Progress)
	}

	sched, err := s.Temporal.ScheduleClient().GetHandle(context.Background(), workflows.CampaignScheduleID).Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cal := sched.Schedule.Spec.Calendars; len(cal) != 1 || cal[0].Hour[0].Start != 2 || cal[0].Minute[0].Start != 30 {
		t.Errorf("schedule spec = %+v; want the policy's 02:30 every day", sched.Schedule.Spec) // the server keeps cron as calendars
	}
	if sched.Schedule.Spec.TimeZoneName != "Asia/Shanghai" {
		t.Errorf("schedule time zone = %q", sched.Schedule.Spec.TimeZoneName)
	}

	// A new policy at the next start-up reaches the existing Schedule.
	changed, err := redress.ParsePolicy([]byte("timezone: Europe/Berlin\ncampaign: {cron: \"15 7 * * 1\", max_customers: 9}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := workflows.EnsureCampaignSchedule(context.Background(), s.Temporal, changed); err != nil {
		t.Fatal(err)
	}
	sched, err = s.Temporal.ScheduleClient().GetHandle(context.Background(), workflows.CampaignScheduleID).Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cal := sched.Schedule.Spec.Calendars; len(cal) != 1 || cal[0].Hour[0].Start != 7 || cal[0].Minute[0].Start != 15 ||
		sched.Schedule.Spec.TimeZoneName != "Europe/Berlin" {
		t.Errorf("after the policy change: %+v", sched.Schedule.Spec)
	}
}
