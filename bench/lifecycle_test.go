package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/workflows"
)

// costPolicy lets the longest path run in seconds.
const costPolicy = `
sla:
  P1: {ack_within: 1s, resolve_within: 1m}
  P2: {ack_within: 1s, resolve_within: 1m}
  P3: {ack_within: 1s, resolve_within: 1m}
  P4: {ack_within: 1s, resolve_within: 1m}
reopen_within: 2s
survey: {remind_after: 1s, expire_after: 2s}
winback: {within: 2s}
`

// cost is what one complaint's workflow spent, counted from its history.
// Actions follow Temporal Cloud's billing: the start, every timer, update,
// signal, search-attribute upsert and child start, and local activities
// once per workflow task that ran any.
type cost struct {
	events  int
	actions map[string]int
}

func (c cost) total() int {
	n := 0
	for _, v := range c.actions {
		n += v
	}
	return n
}

func (c cost) String() string {
	var parts []string
	for k, v := range c.actions {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d events, %d actions (%s)", c.events, c.total(), strings.Join(parts, ", "))
}

func measure(h *historypb.History) cost {
	c := cost{events: len(h.Events), actions: map[string]int{}}
	laTask := int64(-1)
	for _, e := range h.Events {
		switch e.EventType {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			c.actions["start"]++
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			c.actions["timers"]++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			c.actions["updates"]++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			c.actions["signals"]++
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			c.actions["search attribute upserts"]++
		case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			c.actions["child starts"]++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			c.actions["activities"]++
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			if m := e.GetMarkerRecordedEventAttributes(); m.MarkerName == "LocalActivity" && m.WorkflowTaskCompletedEventId != laTask {
				laTask = m.WorkflowTaskCompletedEventId
				c.actions["local activity tasks"]++
			}
		}
	}
	return c
}

type lifecycle struct {
	b *testing.B
	s *redresstest.Stack
}

func (l lifecycle) must(what string, r *redresstest.Response, status int) *redresstest.Response {
	l.b.Helper()
	if r.Status != status {
		l.b.Fatalf("%s = %d %s", what, r.Status, r.Body)
	}
	return r
}

// finish waits for the complaint's workflow to end and returns its history.
func (l lifecycle) finish(workflowID string) *historypb.History {
	l.b.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := l.s.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
		if err == nil && d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			break
		}
		if time.Now().After(deadline) {
			l.b.Fatalf("%s did not finish", workflowID)
		}
		time.Sleep(100 * time.Millisecond)
	}
	it := l.s.Temporal.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			l.b.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	return h
}

// record keeps a history as a replay fixture when REDRESS_RECORD_HISTORIES
// names a folder (workflows/testdata). It is decrypted first, each payload
// with the key it names (its customer's, or the shared one), so fixtures
// do not depend on a key.
func (l lifecycle) record(name string, h *historypb.History) {
	dir := os.Getenv("REDRESS_RECORD_HISTORIES")
	if dir == "" {
		return
	}
	c, err := l.s.Config.PayloadCodec(l.s.DB)
	if err != nil {
		l.b.Fatal(err)
	}
	if err := proxy.VisitPayloads(context.Background(), h, proxy.VisitPayloadsOptions{SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return c.Decode(p)
		}}); err != nil {
		l.b.Fatal(err)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		l.b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644); err != nil {
		l.b.Fatal(err)
	}
}

func (l lifecycle) file(externalID, tier string) (id, tracking string) {
	var c struct {
		ID            string `json:"id"`
		TrackingToken string `json:"tracking_token"`
	}
	l.must("file", l.s.Do("POST", "/v1/complaints", "dev-intake", map[string]any{
		"customer": map[string]any{"external_id": externalID, "email": externalID + "@example.com", "tier": tier},
		"channel":  "web", "subject": "Parcel never arrived", "description": "Nothing came."}), http.StatusCreated).JSON(l.b, &c)
	return c.ID, c.TrackingToken
}

func (l lifecycle) surveyToken(id string) string {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		events, _ := l.s.DB.Events(context.Background(), id)
		for _, e := range events {
			if round, ok := e.Data["survey_round"].(float64); ok && e.Type == redress.EventSurveySent {
				return l.s.Links().Survey(id, int(round))
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	l.b.Fatal("no survey sent")
	return ""
}

var resolve = map[string]any{"resolution_type": "refund", "summary": "Refunded", "root_cause": "logistics"}

// happyPath: intake, acknowledge, resolve, confirm, survey answered (5).
func (l lifecycle) happyPath(n int) cost {
	id, token := l.file(fmt.Sprintf("happy-%d", n), "standard")
	path := "/v1/complaints/" + id
	l.must("ack", l.s.Do("POST", path+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), 200)
	l.must("resolve", l.s.Do("POST", path+"/resolve", "dev-agent", resolve), 200)
	l.must("confirm", l.s.Do("POST", "/v1/track/"+token+"/confirm", "", nil), 200)
	l.must("survey", l.s.Do("POST", "/v1/surveys/"+l.surveyToken(id), "", map[string]any{"score": 5}), 200)
	h := l.finish(redress.ComplaintWorkflowID(id))
	l.record("happy-path", h)
	return measure(h)
}

// longestPath: a gold customer nobody acknowledges up the whole ladder,
// waiting on the customer and their reply, resolved and reopened twice
// (escalation and win-back), resolved again, closed by silence, the survey
// reminded and expired.
func (l lifecycle) longestPath(n int) cost {
	id, token := l.file(fmt.Sprintf("long-%d", n), "gold")
	path, track := "/v1/complaints/"+id, "/v1/track/"+token
	deadline := time.Now().Add(20 * time.Second)
	for {
		var c redress.Complaint
		l.must("get", l.s.Do("GET", path, "dev-agent", nil), 200).JSON(l.b, &c)
		if c.EscalationLevel == redress.MaxEscalationLevel && c.AckDueAt == nil {
			break
		}
		if time.Now().After(deadline) {
			l.b.Fatal("the ladder was not climbed")
		}
		time.Sleep(100 * time.Millisecond)
	}
	l.must("update", l.s.Do("POST", path+"/updates", "dev-agent", map[string]any{"message": "Photo?", "waiting_on_customer": true}), 200)
	l.must("reply", l.s.Do("POST", track+"/reply", "", map[string]string{"message": "Here"}), 200)
	l.must("assign", l.s.Do("POST", path+"/assign", "dev-supervisor", map[string]string{"agent": "bo"}), 200)
	for i := range 2 {
		l.must("resolve", l.s.Do("POST", path+"/resolve", "dev-agent", resolve), 200)
		l.must("reopen", l.s.Do("POST", track+"/reopen", "", map[string]string{"reason": fmt.Sprint("still broken ", i)}), 200)
	}
	var c redress.Complaint
	l.must("get", l.s.Do("GET", path, "dev-agent", nil), 200).JSON(l.b, &c)
	l.must("resolve", l.s.Do("POST", path+"/resolve", "dev-agent", resolve), 200)
	h := l.finish(redress.ComplaintWorkflowID(id))
	l.record("longest-path", h)
	l.record("winback-lost", l.finish(redress.WinbackWorkflowID(c.CustomerID))) // the breach's, for a gold customer
	return measure(h)
}

// campaign records a retention campaign that starts a win-back for a
// customer left with an escalated complaint, and ends when it is lost.
func (l lifecycle) campaign() {
	id, _ := l.file("campaign-at-risk", "standard")
	deadline := time.Now().Add(20 * time.Second)
	for {
		var c redress.Complaint
		l.must("get", l.s.Do("GET", "/v1/complaints/"+id, "dev-agent", nil), 200).JSON(l.b, &c)
		if c.EscalationLevel > 0 {
			break
		}
		if time.Now().After(deadline) {
			l.b.Fatal("the complaint did not escalate")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var started struct{ ID string }
	l.must("campaign", l.s.Do("POST", "/v1/campaigns", "dev-admin", map[string]any{"limit": 5}), http.StatusAccepted).JSON(l.b, &started)
	l.record("campaign", l.finish(workflows.CampaignWorkflowID(started.ID)))
}

// merged records a duplicate that an agent merged into the complaint it
// repeats, after a reply and a note.
func (l lifecycle) merged() {
	kept, _ := l.file("merge-customer", "standard")
	var c struct {
		ID            string `json:"id"`
		TrackingToken string `json:"tracking_token"`
	}
	l.must("file again", l.s.Do("POST", "/v1/complaints", "dev-intake", map[string]any{
		"customer": map[string]any{"external_id": "merge-customer"}, "channel": "email",
		"subject": "Parcel still missing", "description": "The courier says delivered; nothing came."}), http.StatusCreated).JSON(l.b, &c)
	dup, token := c.ID, c.TrackingToken
	l.must("reply", l.s.Do("POST", "/v1/track/"+token+"/reply", "", map[string]string{"message": "It is the blue one"}), 200)
	l.must("note", l.s.Do("POST", "/v1/complaints/"+dup+"/notes", "dev-agent", map[string]string{"message": "Same as the first"}), 200)
	l.must("merge", l.s.Do("POST", "/v1/complaints/"+dup+"/merge", "dev-agent", map[string]string{"into": kept}), 200)
	l.record("merged-duplicate", l.finish(redress.ComplaintWorkflowID(dup)))
}

// BenchmarkLifecycleCost reports what one complaint costs in Temporal.
func BenchmarkLifecycleCost(b *testing.B) {
	// The happy path runs under the default policy, so no SLA clock fires.
	calm := lifecycle{b: b, s: redresstest.StartStack(b, redresstest.StackOptions{})}
	hurried := lifecycle{b: b, s: redresstest.StartStack(b, redresstest.StackOptions{Policy: costPolicy})}
	var happy, longest cost
	for i := range b.N {
		happy, longest = calm.happyPath(i), hurried.longestPath(i)
	}
	if os.Getenv("REDRESS_RECORD_HISTORIES") != "" {
		hurried.campaign()
		calm.merged()
		kept := lifecycle{b: b, s: redresstest.StartStack(b, redresstest.StackOptions{Policy: keepsakePolicy})}
		kept.couponAndFollowUp()
		kept.erasure()
		kept.scheduled()
	}
	b.ReportMetric(float64(happy.total()), "happy-actions")
	b.ReportMetric(float64(happy.events), "happy-events")
	b.ReportMetric(float64(longest.total()), "longest-actions")
	b.ReportMetric(float64(longest.events), "longest-events")
	b.Logf("happy path: %s", happy)
	b.Logf("longest path: %s", longest)
}

// keepsakePolicy offers a coupon on a low score and a follow-up after every
// resolution, each due in seconds, for the recordings.
const keepsakePolicy = `
reopen_within: 1s
survey: {remind_after: 30s, expire_after: 1m}
winback: {within: 1m, offers: {standard: {kind: coupon, percent: 10}}}
followup: {after: 2s, priorities: [P1, P2, P3, P4]}
`

// couponAndFollowUp records a complaint whose follow-up falls due after
// its resolution and whose low score offers a coupon, and the win-back
// that the coupon's redemption wins.
func (l lifecycle) couponAndFollowUp() {
	id, token := l.file("keepsake-coupon", "standard")
	path := "/v1/complaints/" + id
	l.must("ack", l.s.Do("POST", path+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), 200)
	l.must("resolve", l.s.Do("POST", path+"/resolve", "dev-agent", resolve), 200)
	l.must("confirm", l.s.Do("POST", "/v1/track/"+token+"/confirm", "", nil), 200)
	l.must("survey", l.s.Do("POST", "/v1/surveys/"+l.surveyToken(id), "", map[string]any{"score": 1}), 200)
	var c redress.Complaint
	l.must("get", l.s.Do("GET", path, "dev-agent", nil), 200).JSON(l.b, &c)
	var customer struct{ Winbacks []redress.WinbackRecord }
	for deadline := time.Now().Add(20 * time.Second); len(customer.Winbacks) == 0 || customer.Winbacks[0].Coupon == nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			l.b.Fatal("no coupon offered")
		}
		l.must("customer", l.s.Do("GET", "/v1/customers/"+c.CustomerID, "dev-agent", nil), 200).JSON(l.b, &customer)
	}
	l.must("redeem", l.s.Do("POST", "/v1/coupons/"+customer.Winbacks[0].Coupon.Code+"/redeem", "dev-intake",
		map[string]any{"order_ref": "SO-keepsake", "amount": 120}), http.StatusCreated)
	for deadline := time.Now().Add(20 * time.Second); !slices.ContainsFunc(c.Timeline, func(e redress.TimelineEntry) bool {
		return e.Kind == redress.KindFollowUpDue
	}); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			l.b.Fatalf("no follow-up fell due (due at %v)", c.FollowUpDueAt)
		}
		l.must("get", l.s.Do("GET", path, "dev-agent", nil), 200).JSON(l.b, &c)
	}
	l.must("follow up", l.s.Do("POST", path+"/followup", "dev-agent", map[string]any{"outcome": "satisfied", "note": "Happy now"}), 200)
	l.record("coupon-followup", l.finish(redress.ComplaintWorkflowID(id)))
	l.record("winback-coupon-won", l.finish(redress.WinbackWorkflowID(c.CustomerID)))
}

// erasure records the erasure of a customer with a complaint in flight.
func (l lifecycle) erasure() {
	id, _ := l.file("keepsake-erased", "standard")
	var c redress.Complaint
	l.must("get", l.s.Do("GET", "/v1/complaints/"+id, "dev-agent", nil), 200).JSON(l.b, &c)
	l.must("erase", l.s.Do("POST", "/v1/customers/"+c.CustomerID+"/erase", "dev-admin", map[string]any{"reason": "the customer asked"}), http.StatusAccepted)
	l.record("erasure", l.finish(redress.ErasureWorkflowID(c.CustomerID)))
}

// scheduled records the Loyalty and Retention workflows as their Schedules
// start them, over the customers the recordings before made: the tiers
// reviewed and points expired, then the closed complaints anonymized
// after a second.
func (l lifecycle) scheduled() {
	ctx := context.Background()
	for _, run := range []struct {
		name, workflow string
		input          any
	}{
		{"loyalty", "Loyalty", workflows.LoyaltyInput{Loyalty: l.s.Config.Policy.Loyalty}},
		{"retention", "Retention", workflows.RetentionInput{After: redress.Duration(time.Second)}},
	} {
		started, err := l.s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run.name + "-keepsake", TaskQueue: workflows.TaskQueue},
			run.workflow, run.input)
		if err != nil {
			l.b.Fatal(err)
		}
		l.record(run.name, l.finish(started.GetID()))
	}
}
