package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
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
	for _, limit := range []int{-3, 0, redress.MaxCampaignCustomers + 1} {
		r := ok(t, fmt.Sprintf("campaign with limit %d", limit), s.Do("POST", "/v1/campaigns", "dev-admin", map[string]any{"limit": limit}), 422)
		if !strings.Contains(string(r.Body), `"field":"limit"`) || !strings.Contains(string(r.Body), "from 1 to 10000") {
			t.Errorf("limit %d: %s", limit, r.Body)
		}
	}
	ok(t, "unknown campaign", s.Do("GET", "/v1/campaigns/nope", "dev-admin", nil), 404)

	dry := runCampaign(t, s, map[string]any{"dry_run": true})
	p := dry.Progress
	if !p.DryRun || p.Total != 2 || p.Started != 0 || p.Candidates[0].CustomerID != other.CustomerID || p.Candidates[0].Outcome != workflows.OutcomeWouldStart {
		t.Fatalf("dry run = %+v", p)
	}
	if _, err := s.Temporal.DescribeWorkflowExecution(context.Background(), redress.WinbackWorkflowID(other.CustomerID), ""); err == nil {
		t.Error("a dry run started a win-back")
	}

	// Its result is kept in PostgreSQL, which answers once Temporal's
	// retention has taken the workflow (here: a campaign Temporal never had).
	result, err := s.DB.CampaignResult(context.Background(), dry.ID)
	if err != nil {
		t.Fatalf("the dry run's result was not kept: %v", err)
	}
	if err := s.DB.RecordCampaign(context.Background(), "restored-1", true, result); err != nil {
		t.Fatal(err)
	}
	var kept campaign
	ok(t, "a campaign gone from Temporal", s.Do("GET", "/v1/campaigns/restored-1", "dev-admin", nil), http.StatusOK).JSON(t, &kept)
	if kept.Status != "completed" || kept.Progress == nil || kept.Progress.Total != 2 || !kept.Progress.DryRun {
		t.Errorf("the kept campaign = %+v", kept)
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
	// Each customer's record shows the campaign's win-back, which names no
	// complaint, once its first step is written.
	for cu, offer := range map[string]string{open.CustomerID: "10% coupon", other.CustomerID: "50 CNY credit, with a call from the account team"} {
		var record struct {
			Winbacks []redress.WinbackRecord `json:"winbacks"`
		}
		for deadline := time.Now().Add(10 * time.Second); len(record.Winbacks) == 0 && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			ok(t, "customer", s.Do("GET", "/v1/customers/"+cu, "dev-agent", nil), 200).JSON(t, &record)
		}
		if w := record.Winbacks; len(w) != 1 || w[0].ComplaintID != nil || w[0].Status != redress.WinbackOffered ||
			!strings.HasPrefix(w[0].Reason, "retention campaign: churn score ") || w[0].Offer != offer {
			t.Errorf("%s's win-backs = %+v", cu, w)
		}
	}
	// Customers with a win-back under way are not chosen again: the second
	// campaign finds no one.
	again := runCampaign(t, s, map[string]any{"limit": 5})
	if again.Progress.Total != 0 || again.Progress.Started != 0 {
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
