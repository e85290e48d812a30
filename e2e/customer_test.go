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
)

// lifecyclePolicy runs a whole lifecycle in seconds.
const lifecyclePolicy = `
reopen_within: 20s
survey: {remind_after: 20s, expire_after: 40s}
winback: {within: 30s}
`

// surveyToken is the token of the survey link sent to the customer: the
// outbox names the round, from which the dispatcher derives the link (the
// outbox never holds a link).
func surveyToken(t *testing.T, s *redresstest.Stack, complaintID string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, err := s.DB.Events(context.Background(), complaintID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Type == redress.EventSurveySent {
				if _, hasLink := e.Data["survey_url"]; hasLink {
					t.Fatalf("the outbox holds the survey's link: %+v", e)
				}
				round, ok := e.Data["survey_round"].(float64)
				if !ok {
					t.Fatalf("survey.sent without its round: %+v", e)
				}
				return s.Links().Survey(complaintID, int(round))
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no survey was sent")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ok(t *testing.T, what string, r *redresstest.Response, status int) *redresstest.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s = %d %s; want %d", what, r.Status, r.Body, status)
	}
	return r
}

func TestLifecycleToWonBackCustomer(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: lifecyclePolicy})
	c := file(t, s, newComplaint("crm-life"))
	path := "/v1/complaints/" + c.ID
	track := "/v1/track/" + c.TrackingToken

	ok(t, "acknowledge", s.Do("POST", path+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), 200)
	ok(t, "customer reply", s.Do("POST", track+"/reply", "", map[string]string{"message": "Any news?"}), 200)
	ok(t, "confirm before resolution", s.Do("POST", track+"/confirm", "", nil), 409)
	ok(t, "resolve", s.Do("POST", path+"/resolve", "dev-agent", map[string]any{
		"resolution_type": "refund", "summary": "Refunded in full", "root_cause": "logistics",
		"compensation": map[string]any{"amount": 20, "currency": "CNY"}}), 200)

	var view struct {
		Status     string `json:"status"`
		Resolution *struct {
			Type      string `json:"resolution_type"`
			RootCause string `json:"root_cause"`
		} `json:"resolution"`
		Timeline []struct{ Kind, Detail string } `json:"timeline"`
	}
	r := s.Do("GET", track, "", nil)
	ok(t, "track", r, 200)
	r.JSON(t, &view)
	if view.Status != "resolved" || view.Resolution == nil || view.Resolution.Type != "refund" || strings.Contains(string(r.Body), "logistics") {
		t.Errorf("tracking view = %s; the customer sees the resolution but not the root cause", r.Body)
	}
	for _, e := range view.Timeline {
		if e.Kind == "root_cause" || e.Kind == "ack_warning" {
			t.Errorf("the customer sees an internal line: %+v", e)
		}
	}

	ok(t, "confirm", s.Do("POST", track+"/confirm", "", nil), 200)
	ok(t, "reopen after close", s.Do("POST", track+"/reopen", "", map[string]string{"reason": "no"}), 409)
	token := surveyToken(t, s, c.ID)
	ok(t, "survey score 0", s.Do("POST", "/v1/surveys/"+token, "", map[string]any{"score": 0}), 422)
	ok(t, "survey", s.Do("POST", "/v1/surveys/"+token, "", map[string]any{"score": 1, "comment": "Too slow"}), 200)
	ok(t, "survey again", s.Do("POST", "/v1/surveys/"+token, "", map[string]any{"score": 5}), 410)

	got := s.WaitFor(c.ID, 10*time.Second, "the win-back offer", func(c *redress.Complaint) bool { return c.Winback.Status == redress.WinbackOffered })
	if got.Status != redress.StatusClosed || got.Survey.Status != redress.SurveyAnswered || *got.Survey.Score != 1 || got.Winback.Offer != "10% coupon" {
		t.Errorf("after the survey: status %s, survey %+v, win-back %+v", got.Status, got.Survey, got.Winback)
	}

	ok(t, "purchase", s.Do("POST", "/v1/customers/"+c.CustomerID+"/purchases", "dev-intake",
		map[string]any{"amount": 199.5, "currency": "CNY", "at": time.Now().UTC().Format(time.RFC3339)}), 201)
	won := s.WaitFor(c.ID, 10*time.Second, "won back", func(c *redress.Complaint) bool { return c.Winback.Outcome != "" })
	if won.Winback.Outcome != redress.WinbackWonBack {
		t.Errorf("win-back = %+v", won.Winback)
	}
	if k := kinds(won); !strings.Contains(k, "resolved,root_cause,closed,survey_sent,survey_answered,winback_started,winback_offered,winback_won_back") {
		t.Errorf("timeline = %s", k)
	}
	events, _ := s.DB.Events(context.Background(), c.ID)
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	for _, want := range []string{"complaint.resolved", "complaint.closed", "survey.sent", "survey.answered",
		"winback.offered", "winback.follow_up", "winback.won_back"} {
		if !strings.Contains(strings.Join(types, ","), want) {
			t.Errorf("no %s event in %v", want, types)
		}
	}

	// The supervisors' view of the same life.
	window := "?from=" + won.CreatedAt.Add(-time.Minute).Format(time.RFC3339) + "&to=" + time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	ok(t, "analytics as an agent", s.Do("GET", "/v1/analytics/summary"+window, "dev-agent", nil), 403)
	var summary struct {
		Total      int            `json:"total"`
		ByCategory map[string]int `json:"by_category"`
		AckSLA     *float64       `json:"ack_sla_compliance_pct"`
		CSAT       struct {
			Average      *float64 `json:"average"`
			ResponseRate *float64 `json:"response_rate_pct"`
		} `json:"csat"`
		WinbackRate   *float64 `json:"winback_rate_pct"`
		TopRootCauses []struct {
			RootCause string `json:"root_cause"`
			Count     int    `json:"count"`
		} `json:"top_root_causes"`
	}
	ok(t, "analytics", s.Do("GET", "/v1/analytics/summary"+window, "dev-supervisor", nil), 200).JSON(t, &summary)
	if summary.Total != 1 || summary.ByCategory["delivery"] != 1 || summary.AckSLA == nil || *summary.AckSLA != 100 ||
		summary.CSAT.Average == nil || *summary.CSAT.Average != 1 || *summary.CSAT.ResponseRate != 100 ||
		summary.WinbackRate == nil || *summary.WinbackRate != 100 ||
		len(summary.TopRootCauses) != 1 || summary.TopRootCauses[0].RootCause != "logistics" {
		t.Errorf("summary = %+v", summary)
	}
	var volume struct {
		Series []struct {
			Key    string `json:"key"`
			Points []struct {
				Value *float64 `json:"value"`
			} `json:"points"`
		} `json:"series"`
	}
	ok(t, "timeseries", s.Do("GET", "/v1/analytics/timeseries"+window+"&metric=volume&interval=week&by=category", "dev-supervisor", nil), 200).JSON(t, &volume)
	if len(volume.Series) != 1 || volume.Series[0].Key != "delivery" {
		t.Errorf("weekly volume by category = %+v; want the delivery complaint alone", volume)
	}
	ok(t, "agents as an agent", s.Do("GET", "/v1/analytics/agents"+window, "dev-agent", nil), 403)
	var agents struct {
		Agents []struct {
			Assignee string   `json:"assignee"`
			Handled  int      `json:"handled"`
			CSAT     *float64 `json:"csat_average"`
		} `json:"agents"`
	}
	ok(t, "agents", s.Do("GET", "/v1/analytics/agents"+window, "dev-supervisor", nil), 200).JSON(t, &agents)
	if len(agents.Agents) != 1 || agents.Agents[0].Assignee != won.Assignee || agents.Agents[0].Handled != 1 ||
		agents.Agents[0].CSAT == nil || *agents.Agents[0].CSAT != 1 {
		t.Errorf("agents = %+v; want %q with the one complaint, scored 1", agents, won.Assignee)
	}
	var prevention struct {
		RootCauses []struct {
			RootCause  string `json:"root_cause"`
			Complaints int    `json:"complaints"`
		} `json:"root_causes"`
	}
	ok(t, "prevention", s.Do("GET", "/v1/analytics/prevention"+window+"&interval=day", "dev-supervisor", nil), 200).JSON(t, &prevention)
	if len(prevention.RootCauses) != 1 || prevention.RootCauses[0].RootCause != "logistics" || prevention.RootCauses[0].Complaints != 1 {
		t.Errorf("prevention = %+v; want the one logistics complaint", prevention)
	}
}

func TestReopenTwiceAndSilentClose(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: lifecyclePolicy + "sla: {P3: {ack_within: 1h, resolve_within: 2h}}\n"})
	c := file(t, s, newComplaint("crm-reopen"))
	path, track := "/v1/complaints/"+c.ID, "/v1/track/"+c.TrackingToken
	resolve := map[string]any{"resolution_type": "repair", "summary": "Fixed", "root_cause": "product_defect"}
	ok(t, "resolve", s.Do("POST", path+"/resolve", "dev-agent", resolve), 200)
	ok(t, "reopen", s.Do("POST", track+"/reopen", "", map[string]string{"reason": "Still broken"}), 200)
	if got := s.Complaint(c.ID); got.Status != redress.StatusReopened || got.AckDueAt == nil || got.ResolvedAt != nil {
		t.Errorf("reopened: %+v", got.State)
	}
	ok(t, "resolve again", s.Do("POST", path+"/resolve", "dev-agent", resolve), 200)
	ok(t, "reopen again", s.Do("POST", track+"/reopen", "", map[string]string{"reason": "Broken again"}), 200)
	got := s.WaitFor(c.ID, 10*time.Second, "the win-back", func(c *redress.Complaint) bool { return c.Winback.Status != "" })
	if got.EscalationLevel != 1 {
		t.Errorf("a second reopen escalates: level %d", got.EscalationLevel)
	}
	ok(t, "resolve a third time", s.Do("POST", path+"/resolve", "dev-agent", resolve), 200)
	closed := s.WaitFor(c.ID, 30*time.Second, "the silent close", func(c *redress.Complaint) bool { return c.Status == redress.StatusClosed })
	if closed.Survey.Status != redress.SurveySent {
		t.Errorf("survey after the silent close = %+v", closed.Survey)
	}
}

func TestCustomerSideBadInput(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: lifecyclePolicy})
	c := file(t, s, newComplaint("crm-bad"))
	path, track := "/v1/complaints/"+c.ID, "/v1/track/"+c.TrackingToken
	tests := []struct {
		name, method, path, key string
		body                    any
		status                  int
		field                   string
	}{
		{"unknown tracking token", "GET", "/v1/track/nope", "", nil, 404, ""},
		{"reply to unknown token", "POST", "/v1/track/nope/reply", "", map[string]string{"message": "hi"}, 404, ""},
		{"empty reply", "POST", track + "/reply", "", map[string]string{"message": ""}, 422, "message"},
		{"reopen without reason", "POST", track + "/reopen", "", map[string]string{}, 422, "reason"},
		{"confirm with a field", "POST", track + "/confirm", "", map[string]string{"x": "y"}, 422, "x"},
		{"unknown survey token", "POST", "/v1/surveys/nope", "", map[string]any{"score": 3}, 404, ""},
		{"resolve with a bad type", "POST", path + "/resolve", "dev-agent", map[string]any{"resolution_type": "magic", "summary": "s", "root_cause": "other"}, 422, "resolution_type"},
		{"resolve with a bad root cause", "POST", path + "/resolve", "dev-agent", map[string]any{"resolution_type": "refund", "summary": "s", "root_cause": "gremlins"}, 422, "root_cause"},
		{"resolve with a bad currency", "POST", path + "/resolve", "dev-agent", map[string]any{"resolution_type": "refund", "summary": "s", "root_cause": "other", "compensation": map[string]any{"amount": 5, "currency": "yuan"}}, 422, "compensation.currency"},
		{"resolve with a negative amount", "POST", path + "/resolve", "dev-agent", map[string]any{"resolution_type": "refund", "summary": "s", "root_cause": "other", "compensation": map[string]any{"amount": -5, "currency": "CNY"}}, 422, "compensation.amount"},
		{"resolve as intake", "POST", path + "/resolve", "dev-intake", map[string]any{"resolution_type": "refund", "summary": "s", "root_cause": "other"}, 403, ""},
		{"purchase with a bad date", "POST", "/v1/customers/" + c.CustomerID + "/purchases", "dev-intake", map[string]any{"amount": 5, "currency": "CNY", "at": "yesterday"}, 422, "at"},
		{"purchase in the future", "POST", "/v1/customers/" + c.CustomerID + "/purchases", "dev-intake", map[string]any{"amount": 5, "currency": "CNY", "at": "2099-01-01T00:00:00Z"}, 422, "at"},
		{"purchase without amount", "POST", "/v1/customers/" + c.CustomerID + "/purchases", "dev-intake", map[string]any{"currency": "CNY", "at": "2026-01-01T00:00:00Z"}, 422, "amount"},
		{"purchase for nobody", "POST", "/v1/customers/01a20000-0000-7000-8000-000000000000/purchases", "dev-intake", map[string]any{"amount": 5, "currency": "CNY", "at": "2026-01-01T00:00:00Z"}, 404, ""},
		{"customer with a bad email", "POST", "/v1/customers", "dev-intake", map[string]any{"external_id": "x", "email": "nope"}, 422, "email"},
		{"customer with a bad tier", "POST", "/v1/customers", "dev-intake", map[string]any{"external_id": "x", "tier": "vip"}, 422, "tier"},
		{"customer with nothing", "POST", "/v1/customers", "dev-intake", map[string]any{"name": "x"}, 422, "external_id"},
		{"unknown customer", "GET", "/v1/customers/nope", "dev-agent", nil, 404, ""},
		{"analytics with a bad date", "GET", "/v1/analytics/summary?from=last-week", "dev-supervisor", nil, 422, "from"},
		{"analytics backwards", "GET", "/v1/analytics/summary?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "dev-supervisor", nil, 422, "from"},
		{"analytics over years", "GET", "/v1/analytics/summary?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "dev-supervisor", nil, 422, "from"},
		{"timeseries without a metric", "GET", "/v1/analytics/timeseries", "dev-supervisor", nil, 422, "metric"},
		{"timeseries by a colour", "GET", "/v1/analytics/timeseries?metric=volume&by=colour", "dev-supervisor", nil, 422, "by"},
		{"timeseries by the hour", "GET", "/v1/analytics/timeseries?metric=volume&interval=hour", "dev-supervisor", nil, 422, "interval"},
		{"prevention by the hour", "GET", "/v1/analytics/prevention?interval=hour", "dev-supervisor", nil, 422, "interval"},
		{"prevention by a colour", "GET", "/v1/analytics/prevention?by=colour", "dev-supervisor", nil, 422, "by"},
		{"agents with a stray parameter", "GET", "/v1/analytics/agents?team=a", "dev-supervisor", nil, 422, "team"},
		{"analytics with an unknown parameter", "GET", "/v1/analytics/summary?group=x", "dev-supervisor", nil, 422, "group"},
	}
	for _, tt := range tests {
		r := s.Do(tt.method, tt.path, tt.key, tt.body)
		if r.Status != tt.status || r.Header.Get("Content-Type") != "application/problem+json" ||
			(tt.field != "" && !strings.Contains(string(r.Body), `"field":"`+tt.field)) {
			t.Errorf("%s: %d %s; want %d naming %q", tt.name, r.Status, r.Body, tt.status, tt.field)
		}
	}
	if got := s.Complaint(c.ID); kinds(got) != "received" || got.Status != redress.StatusReceived {
		t.Errorf("bad requests changed the complaint: %s %s", got.Status, kinds(got))
	}

	r := s.Do("POST", "/v1/customers", "dev-intake", map[string]any{"external_id": "crm-new", "name": "Wang Fang", "tier": "diamond"})
	ok(t, "create customer", r, http.StatusCreated)
	var cu redress.Customer
	r.JSON(t, &cu)
	ok(t, "match customer", s.Do("POST", "/v1/customers", "dev-intake", map[string]any{"external_id": "crm-new"}), http.StatusOK)
	r = s.Do("GET", "/v1/customers/"+cu.ID, "dev-agent", nil)
	ok(t, "get customer", r, 200)
	var again redress.Customer
	r.JSON(t, &again)
	if again.Tier != redress.TierDiamond || again.Name != "Wang Fang" {
		t.Errorf("customer = %+v", again)
	}
}

// One win-back at a time per customer: a second unhappy complaint while the
// first one's win-back runs starts none.
func TestOneWinbackAtATimePerCustomer(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: lifecyclePolicy})
	orders := 0
	unhappy := func() *redress.Complaint {
		orders++
		body := newComplaint("crm-twice")
		body["order_ref"] = fmt.Sprint("ORD-", orders)
		c := file(t, s, body)
		ok(t, "resolve", s.Do("POST", "/v1/complaints/"+c.ID+"/resolve", "dev-agent",
			map[string]any{"resolution_type": "apology", "summary": "Sorry", "root_cause": "other"}), 200)
		ok(t, "confirm", s.Do("POST", "/v1/track/"+c.TrackingToken+"/confirm", "", nil), 200)
		ok(t, "survey", s.Do("POST", "/v1/surveys/"+surveyToken(t, s, c.ID), "", map[string]any{"score": 1}), 200)
		return &c.Complaint
	}
	first := unhappy()
	s.WaitFor(first.ID, 10*time.Second, "the first win-back", func(c *redress.Complaint) bool { return c.Winback.Status == redress.WinbackOffered })
	second := unhappy()
	got := s.WaitFor(second.ID, 10*time.Second, "the skipped win-back",
		func(c *redress.Complaint) bool { return strings.Contains(kinds(c), "winback_skipped") })
	if got.Winback.Status != "" {
		t.Errorf("the second complaint got a win-back of its own: %+v", got.Winback)
	}
}
