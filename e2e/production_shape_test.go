package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// The production shape as processes: Temporal persisted in PostgreSQL with
// four history shards (`redress dev --only infra`), two `redress api` and
// two `redress worker` processes of the very binary a user runs. A
// complaint filed through one API is escalated by its timer after a worker
// is killed with SIGKILL, acknowledged through the other API, and found by
// the Web UI's search-attribute query in the SQL visibility store. The API
// processes hold the console's sign-in limits in common.
func TestProductionShape(t *testing.T) {
	infra := redresstest.StartStack(t, redresstest.StackOptions{TemporalShards: 4, InfraOnly: true})
	intakeKey, agentKey := redresstest.ProcessIntakeKey, redresstest.ProcessAgentKey
	env := redresstest.ProcessEnv(t, infra.Config.DatabaseURL, infra.Config.TemporalAddress, "sla: {P3: {ack_within: 15s, resolve_within: 10m}}\n")
	var apis []*redresstest.Stack
	for range 2 {
		addr := "127.0.0.1:" + redresstest.FreePort(t)
		redresstest.StartProcess(t, append(env, "REDRESS_HTTP_ADDR="+addr), "api")
		api := *infra
		api.BaseURL = "http://" + addr
		apis = append(apis, &api)
	}
	var workers []*redresstest.Process
	for range 2 {
		workers = append(workers, redresstest.StartProcess(t, append(env, "REDRESS_METRICS_ADDR=127.0.0.1:"+redresstest.FreePort(t)), "worker"))
	}
	for _, api := range apis {
		redresstest.WaitReady(t, api.BaseURL+"/readyz", 2*time.Minute)
	}

	// Guessing a password through both API processes meets the one limit
	// they share: ten wrong passwords for an account in all, not ten each.
	infra.AddStaff("ana@example.com", "Ana Agent", "agent", staffPassword)
	wrong := 0
	for ; wrong < 20; wrong++ {
		p := apis[wrong%2].Anonymous().TrySignIn("ana@example.com", "a wrong guess")
		if p.Status == http.StatusTooManyRequests {
			break
		}
		if p.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", wrong+1, p.Status)
		}
	}
	if wrong != 10 {
		t.Errorf("two API processes checked %d wrong passwords for one account before refusing; want 10 in all", wrong)
	}

	r := apis[0].Do("POST", "/v1/complaints", intakeKey, newComplaint("crm-shape"))
	if r.Status != http.StatusCreated {
		t.Fatalf("intake: %d %s", r.Status, r.Body)
	}
	var c redress.Complaint
	r.JSON(t, &c)
	workers[0].Kill()

	// The acknowledgement window passes with one worker left: its timer
	// escalates the complaint, as the other API process sees.
	deadline := time.Now().Add(90 * time.Second)
	for {
		r := apis[1].Do("GET", "/v1/complaints/"+c.ID, agentKey, nil)
		var now redress.Complaint
		r.JSON(t, &now)
		if now.EscalationLevel == 1 && now.SLABreached {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no escalation 90 s after intake with a 15 s window: %s\nsurviving worker:\n%s", r.Body, workers[1].Output())
		}
		time.Sleep(time.Second)
	}
	if r := apis[1].Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", agentKey, map[string]any{"agent": "Ana"}); r.Status != http.StatusOK {
		t.Fatalf("acknowledge through the second API: %d %s", r.Status, r.Body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, err := infra.Temporal.WorkflowService().GetClusterInfo(ctx, &workflowservice.GetClusterInfoRequest{})
	if err != nil || info.HistoryShardCount != 4 || !strings.HasPrefix(info.PersistenceStore, "postgres") {
		t.Fatalf("cluster: %v shards on %q, %v; want 4 on PostgreSQL", info.GetHistoryShardCount(), info.GetPersistenceStore(), err)
	}
	for {
		list, err := infra.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: `ComplaintPriority="P3" AND EscalationLevel=1 AND ComplaintStatus="acknowledged"`})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(list.Executions, func(e *workflowpb.WorkflowExecutionInfo) bool {
			return e.Execution.WorkflowId == "complaint-"+c.ID
		}) {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the visibility store never answered the search-attribute query with complaint-%s", c.ID)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
