package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// workload drives complaints through every kind of action against several
// API processes, as integrators, agents and customers would, while faults
// are injected; it records what each complaint's accepted actions imply,
// for verify to compare with what PostgreSQL, Temporal, the outbox and the
// webhook hold afterwards.
//
// Complaint i follows script i%4:
//   - 0: left alone; its acknowledgement window passes, so it escalates;
//   - 1: acknowledged;
//   - 2: acknowledged, a question to the customer, the customer's reply,
//     resolved, confirmed by the customer (closed), the survey answered;
//   - 3: acknowledged, an internal note, escalated by hand, resolved,
//     reopened by the customer, resolved again.
type workload struct {
	t      testing.TB
	apis   []string
	prefix string // of the customers' external ids and the idempotency keys
	hook   *webhookCounter
	http   *http.Client
	// patience is how long a request is retried through dropped
	// connections and 503s before the test gives up on it.
	patience time.Duration

	mu         sync.Mutex
	complaints []*scripted

	serverErrors      atomic.Int64 // answers of 500 and over other than 503
	unavailable       atomic.Int64 // 503s, each with Retry-After
	unavailableWhy    sync.Map     // a 503's detail: *atomic.Int64
	badUnavailable    atomic.Int64 // 503s without Retry-After or problem+json
	droppedConnection atomic.Int64
}

// scripted is one complaint of the workload and what its accepted actions
// imply.
type scripted struct {
	script    int
	key       string // the customer's external id and the intake's Idempotency-Key
	id        string
	token     string
	createdAt time.Time // when the complaint was first stored, its clocks' start
	acked     bool
	// slowest is the longest an acknowledgement window was left open: from
	// the complaint's creation to the acknowledgement, from the reopen's
	// first attempt to the resolution.
	slowest time.Duration
	actions int // sent so far, for their idempotency keys
	// events counts the events each accepted action implies, by type.
	events map[string]int
	status string // the status the accepted actions leave
}

func newWorkload(t testing.TB, apis []string, prefix string, hook *webhookCounter) *workload {
	return &workload{t: t, apis: apis, prefix: prefix, hook: hook, patience: 3 * time.Minute,
		http: &http.Client{Timeout: 20 * time.Second}}
}

// post sends a request to one API process and, on a dropped connection or a
// 503, the same request again (to the next process, with the same
// Idempotency-Key) until one answers otherwise. retried tells whether an
// earlier attempt, which may have been applied, went unanswered.
func (w *workload) post(path, key string, body any, idempotencyKey string, first int) (status int, answer []byte, retried bool) {
	payload, _ := json.Marshal(body)
	giveUp := time.Now().Add(w.patience)
	for attempt := 0; ; attempt++ {
		req, _ := http.NewRequest("POST", "http://"+w.apis[(first+attempt)%len(w.apis)]+path, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if idempotencyKey != "" {
			req.Header.Set("Idempotency-Key", idempotencyKey)
		}
		resp, err := w.http.Do(req)
		if attempt > 0 {
			retried = true
		}
		if err != nil {
			w.droppedConnection.Add(1)
		} else {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode < 500:
				return resp.StatusCode, b, retried
			case resp.StatusCode == http.StatusServiceUnavailable:
				w.unavailable.Add(1)
				var problem struct{ Detail string }
				_ = json.Unmarshal(b, &problem)
				n, _ := w.unavailableWhy.LoadOrStore(actionOf(path)+": "+problem.Detail, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
				if resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/problem+json" {
					w.badUnavailable.Add(1)
				}
			default:
				w.serverErrors.Add(1)
				w.t.Errorf("POST %s: %d %s", path, resp.StatusCode, b)
			}
		}
		if time.Now().After(giveUp) {
			w.t.Errorf("POST %s: no answer but dropped connections and 503s for %s: %v", path, w.patience, err)
			return 0, nil, retried
		}
		// As a well-behaved integrator: after a 503, wait as asked.
		wait := 250 * time.Millisecond
		if resp != nil {
			if seconds, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
				wait = time.Duration(seconds) * time.Second
			}
		}
		time.Sleep(wait)
	}
}

// actionOf names the action of a path: its last part that is no id or
// token.
func actionOf(path string) string {
	parts := strings.Split(path, "/")
	for i := len(parts) - 1; i > 0; i-- {
		if len(parts[i]) < 20 {
			return parts[i]
		}
	}
	return path
}

// act posts an action whose acceptance implies one event of each of
// events.
func (w *workload) act(c *scripted, path, key string, body any, events ...string) bool {
	c.actions++
	status, answer, _ := w.post(path, key, body, fmt.Sprintf("%s-%d", c.id, c.actions), len(c.id))
	if status != http.StatusOK {
		w.t.Errorf("complaint %s (script %d): POST %s: %d %s", c.id, c.script, path, status, answer)
		return false
	}
	for _, event := range events {
		c.events[event]++
	}
	return true
}

// run files complaint i and carries out its script.
func (w *workload) run(i int, intakeKey, agentKey string) {
	key := fmt.Sprintf("%s-%d", w.prefix, i)
	status, body, _ := w.post("/v1/complaints", intakeKey, newComplaint(key), key, i)
	if status != http.StatusCreated && status != http.StatusAccepted && status != http.StatusOK {
		w.t.Errorf("intake %s: %d %s", key, status, body)
		return
	}
	var filed struct {
		ID            string
		TrackingToken string    `json:"tracking_token"`
		CreatedAt     time.Time `json:"created_at"`
	}
	_ = json.Unmarshal(body, &filed)
	// The clocks start when the complaint was first stored, which is before
	// the 201 when Temporal was away.
	c := &scripted{script: i % 4, key: key, id: filed.ID, token: filed.TrackingToken, createdAt: filed.CreatedAt,
		events: map[string]int{"complaint.received": 1}, status: "received"}
	w.mu.Lock()
	w.complaints = append(w.complaints, c)
	w.mu.Unlock()
	if c.script == 0 {
		return
	}
	staff := "/v1/complaints/" + c.id
	customer := "/v1/track/" + c.token
	if !w.act(c, staff+"/acknowledge", agentKey, map[string]any{"agent": "Ana"}, "complaint.acknowledged") {
		return
	}
	c.acked, c.slowest, c.status = true, time.Since(c.createdAt), "acknowledged"
	switch c.script {
	case 2:
		if w.act(c, staff+"/updates", agentKey, map[string]any{"message": "Which address was it sent to?", "waiting_on_customer": true}, "complaint.updated") &&
			w.act(c, customer+"/reply", "", map[string]any{"message": "Flat 2, 8 Bell Street."}, "complaint.customer_replied") &&
			w.act(c, staff+"/resolve", agentKey, resolution, "complaint.resolved") &&
			w.act(c, customer+"/confirm", "", map[string]any{}, "complaint.closed") {
			c.events["survey.sent"] = 1
			c.status = "closed"
			w.answerSurvey(c)
		}
	case 3:
		if !w.act(c, staff+"/notes", agentKey, map[string]any{"message": "Courier's photo shows another door."}) ||
			!w.act(c, staff+"/escalate", agentKey, map[string]any{"reason": "Third parcel lost this month"}) ||
			!w.act(c, staff+"/resolve", agentKey, resolution, "complaint.resolved") {
			return
		}
		// The reopen's window opens when its first attempt is applied, which
		// may be long before a retry's answer.
		reopened := time.Now()
		if !w.act(c, customer+"/reopen", "", map[string]any{"reason": "The refund never came."}, "complaint.reopened") {
			return
		}
		// Resolving a reopened complaint acknowledges it again.
		if w.act(c, staff+"/resolve", agentKey, resolution, "complaint.resolved", "complaint.acknowledged") {
			c.slowest = max(c.slowest, time.Since(reopened))
			c.status = "resolved"
		}
	}
}

var resolution = map[string]any{"resolution_type": "refund", "summary": "Refunded in full.", "root_cause": "logistics",
	"compensation": map[string]any{"amount": 20, "currency": "CNY"}}

// answerSurvey waits for the survey link to reach the webhook and answers
// it. A survey is answered once: a 410 after an unanswered attempt means
// that attempt was the answer.
func (w *workload) answerSurvey(c *scripted) {
	var token string
	for giveUp := time.Now().Add(w.patience); token == ""; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(giveUp) {
			w.t.Errorf("complaint %s: no survey link reached the webhook in %s", c.id, w.patience)
			return
		}
		token = w.hook.surveyToken(c.id)
	}
	status, answer, retried := w.post("/v1/surveys/"+token, "", map[string]any{"score": 5, "comment": "Quick and fair."}, "", 0)
	if status != http.StatusOK && !(status == http.StatusGone && retried) {
		w.t.Errorf("complaint %s: survey answer: %d %s", c.id, status, answer)
		return
	}
	c.events["survey.answered"] = 1
}

// verify checks that every complaint the workload filed is in PostgreSQL
// once and has one workflow, that each reached the state its actions and
// its timers imply (an acknowledgement window of window), that the outbox
// holds each event once, and that every event reached the webhook. It
// returns a line of the counts for the test's log.
func (w *workload) verify(ctx context.Context, databaseURL string, temporal client.Client, window time.Duration) string {
	t := w.t
	t.Helper()
	store := redresstest.OpenDB(w.t, databaseURL) // opens the events' sealed data
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	accepted := len(w.complaints)

	waitForNone(ctx, t, conn, `SELECT count(*) FROM complaints WHERE status = 'received' AND escalation_level = 0`,
		"complaints left alone never breached")
	var inPostgres, distinct int
	if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT id) FROM complaints`).Scan(&inPostgres, &distinct); err != nil {
		t.Fatal(err)
	}
	if inPostgres != accepted || distinct != accepted {
		t.Errorf("PostgreSQL holds %d complaints (%d distinct); %d were accepted", inPostgres, distinct, accepted)
	}
	count, err := temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: `WorkflowType="Complaint"`})
	if err != nil {
		t.Fatal(err)
	}
	if int(count.Count) != accepted {
		t.Errorf("Temporal runs %d complaint workflows; %d complaints were accepted", count.Count, accepted)
	}

	// Every event reaches the webhook; duplicate deliveries are allowed and
	// reported. Waiting for them first lets the last projections land, and
	// the escalations of the complaints left alone reach the top level.
	var outbox, received, duplicates int
	for {
		var undelivered int
		if err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE delivered_at IS NULL) FROM outbox`).
			Scan(&outbox, &undelivered); err != nil {
			t.Fatal(err)
		}
		received, duplicates = w.hook.counts()
		if undelivered == 0 && received == outbox {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the outbox holds %d events, %d of them undelivered; the webhook received %d", outbox, undelivered, received)
		}
		time.Sleep(time.Second)
	}
	for _, c := range w.complaints {
		w.verifyComplaint(ctx, conn, store, c, window)
	}
	if n := w.serverErrors.Load(); n != 0 {
		t.Errorf("clients met %d answers of 500 or over other than 503", n)
	}
	if n := w.badUnavailable.Load(); n != 0 {
		t.Errorf("%d answers of 503 came without Retry-After or problem+json", n)
	}
	w.unavailableWhy.Range(func(why, n any) bool {
		t.Logf("503 %d times: %s", n.(*atomic.Int64).Load(), why)
		return true
	})
	return fmt.Sprintf("%d complaints accepted, %d found in PostgreSQL and %d workflows in Temporal; %d outbox events, "+
		"%d delivered to the webhook, %d duplicate deliveries; clients met %d answers of 503 and %d dropped connections, 0 other 5xx",
		accepted, inPostgres, count.Count, outbox, received, duplicates, w.unavailable.Load(), w.droppedConnection.Load())
}

// waitForNone polls a count until it is zero, failing with what when ctx
// ends first.
func waitForNone(ctx context.Context, t testing.TB, conn *pgx.Conn, count, what string) {
	t.Helper()
	for {
		var n int
		if err := conn.QueryRow(ctx, count).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%d %s", n, what)
		}
		time.Sleep(time.Second)
	}
}

// verifyComplaint compares a complaint's row and outbox events with what
// its accepted actions and its timers imply.
func (w *workload) verifyComplaint(ctx context.Context, conn *pgx.Conn, store *postgres.DB, c *scripted, window time.Duration) {
	t := w.t
	var status, survey string
	var level int
	var breached bool
	if err := conn.QueryRow(ctx, `SELECT status, escalation_level, sla_breached, coalesce(survey->>'status', '') FROM complaints WHERE id = $1`, c.id).
		Scan(&status, &level, &breached, &survey); err != nil {
		t.Fatalf("complaint %s: %v", c.id, err)
	}
	switch {
	case status != c.status:
		t.Errorf("complaint %s (script %d) is %s; its accepted actions leave it %s", c.id, c.script, status, c.status)
	case c.acked && c.slowest < window*3/4 && breached:
		t.Errorf("complaint %s (script %d) was answered within %s each time but breached its %s window", c.id, c.script, c.slowest, window)
	case !c.acked && (level < 1 || !breached):
		t.Errorf("complaint %s was left alone: level %d, breached %v; want escalated and breached", c.id, level, breached)
	case c.script == 3 && level < 1:
		t.Errorf("complaint %s was escalated by hand but is at level %d", c.id, level)
	case c.events["survey.answered"] == 1 && survey != "answered":
		t.Errorf("complaint %s: its survey was answered but is %q", c.id, survey)
	}
	// The events that actions cause come once per accepted action; the
	// clocks' warnings and escalations once per window and level.
	events, err := store.Events(ctx, c.id)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	windows := map[string]map[string]bool{}
	for _, e := range events {
		found[e.Type]++
		if windows[e.Type] == nil {
			windows[e.Type] = map[string]bool{}
		}
		windows[e.Type][fmt.Sprint(e.Data["level"], e.Data["ack_due_at"])] = true
	}
	for _, kind := range []string{"complaint.escalated", "complaint.ack_warning"} {
		if n, distinct := found[kind], len(windows[kind]); n != distinct {
			t.Errorf("complaint %s: the outbox holds %d %s events for %d windows", c.id, n, kind, distinct)
		}
	}
	wrong := false
	for kind, want := range c.events {
		if found[kind] != want {
			wrong = true
			t.Errorf("complaint %s (script %d): the outbox holds %d %s events; its accepted actions imply %d", c.id, c.script, found[kind], kind, want)
		}
	}
	for kind, n := range found {
		if _, expected := c.events[kind]; !expected && kind != "complaint.escalated" && kind != "complaint.ack_warning" {
			wrong = true
			t.Errorf("complaint %s (script %d): the outbox holds %d %s events that none of its actions implies", c.id, c.script, n, kind)
		}
	}
	if wrong {
		var ids []string
		_ = conn.QueryRow(ctx, `SELECT array_agg(id || ' at ' || occurred_at ORDER BY occurred_at) FROM outbox WHERE complaint_id = $1`, c.id).Scan(&ids)
		t.Logf("complaint %s: its events: %s", c.id, strings.Join(ids, "; "))
	}
}

// webhookCounter receives the events, counting each id and the deliveries
// beyond the first, and keeps each complaint's survey link.
type webhookCounter struct {
	mu         sync.Mutex
	seen       map[string]int
	duplicates int
	surveys    map[string]string // complaint id: survey token
}

func newWebhookCounter() *webhookCounter {
	return &webhookCounter{seen: map[string]int{}, surveys: map[string]string{}}
}

func (w *webhookCounter) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var e struct {
		ID, Type    string
		ComplaintID string `json:"complaint_id"`
		Data        struct {
			SurveyURL string `json:"survey_url"`
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil || e.ID == "" {
		http.Error(rw, "no event", http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	w.seen[e.ID]++
	if w.seen[e.ID] > 1 {
		w.duplicates++
	}
	if e.Type == "survey.sent" {
		w.surveys[e.ComplaintID] = e.Data.SurveyURL[strings.LastIndexByte(e.Data.SurveyURL, '/')+1:]
	}
	w.mu.Unlock()
	rw.WriteHeader(http.StatusNoContent)
}

func (w *webhookCounter) counts() (distinct, duplicates int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seen), w.duplicates
}

func (w *webhookCounter) surveyToken(complaintID string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.surveys[complaintID]
}

// shape is the production shape of a fault test over its infrastructure:
// two `redress api` processes, and the environment of the workers, whose
// events go to a counting webhook.
type shape struct {
	hook  *webhookCounter
	env   []string
	addrs []string
	apis  []*redresstest.Process
}

// startShape starts the API processes against the database and the
// Temporal server given, with an acknowledgement window of window.
func startShape(t testing.TB, databaseURL, temporalAddress string, window time.Duration) *shape {
	t.Helper()
	s := &shape{hook: newWebhookCounter()}
	receiver := httptest.NewServer(s.hook)
	t.Cleanup(receiver.Close)
	s.env = redresstest.ProcessEnv(t, databaseURL, temporalAddress, redresstest.AckWindowPolicy(window),
		"REDRESS_WEBHOOK_URL="+receiver.URL, "REDRESS_WEBHOOK_SECRET=webhook-secret-0123456789abcdef")
	for range 2 {
		addr := "127.0.0.1:" + redresstest.FreePort(t)
		s.apis = append(s.apis, redresstest.StartProcess(t, append(s.env, "REDRESS_HTTP_ADDR="+addr), "api"))
		s.addrs = append(s.addrs, addr)
	}
	for _, addr := range s.addrs {
		redresstest.WaitReady(t, "http://"+addr+"/readyz", 2*time.Minute)
	}
	return s
}

// loadWindow is the acknowledgement window of the steady-load runs, long
// enough that the acknowledging scripts answer within it.
const loadWindow = 20 * time.Second

// loadCache is the workflow cache of the steady-load runs' workers: small,
// so that it fills in their first minutes, as a worker's that has run for a
// day is full.
const loadCache = 300

// startLoadShape starts what the steady-load runs drive: Temporal on
// PostgreSQL with four shards, two API processes and two worker processes
// that keep cache workflows each. It returns the workers too.
func startLoadShape(t testing.TB, cache int) (*redresstest.Stack, *shape, []*redresstest.Process) {
	infra := redresstest.StartStack(t, redresstest.StackOptions{TemporalShards: 4, InfraOnly: true})
	shape := startShape(t, infra.Config.DatabaseURL, infra.Config.TemporalAddress, loadWindow)
	setting := "REDRESS_WORKFLOW_CACHE=" + strconv.Itoa(cache)
	workers := []*redresstest.Process{shape.startWorker(t, setting), shape.startWorker(t, setting)}
	time.Sleep(2 * time.Second) // the workers' start-up
	return infra, shape, workers
}

// startWorker starts a `redress worker` process, with extra settings.
func (s *shape) startWorker(t testing.TB, extra ...string) *redresstest.Process {
	env := append(slices.Clone(s.env), "REDRESS_METRICS_ADDR=127.0.0.1:"+redresstest.FreePort(t))
	return redresstest.StartProcess(t, append(env, extra...), "worker")
}
