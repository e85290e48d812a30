package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/redress-dev/redress/redresstest"
)

// chaosComplaints is how many complaints the chaos test files.
const chaosComplaints = 500

// Faults while complaints flow through the production shape (Temporal on
// PostgreSQL, two API and two worker processes): one worker is killed
// with SIGKILL at random moments five times and started again while the
// other keeps running, and one API process is killed while clients send;
// the clients retry with the same Idempotency-Key against the other API.
// Half the complaints are acknowledged at once, the rest are left to
// breach their 20-second window. Afterwards every accepted complaint is in
// PostgreSQL once and has one workflow, each is in the state its actions
// and timers imply, every event is in the outbox once and reached the
// webhook, whose duplicate deliveries (which at-least-once allows) are
// counted and reported.
func TestChaosKilledProcesses(t *testing.T) {
	infra := redresstest.StartStack(t, redresstest.StackOptions{TemporalShards: 4, InfraOnly: true})
	receiver := newWebhookCounter()
	hook := httptest.NewServer(receiver)
	defer hook.Close()
	intakeKey, agentKey := redresstest.ProcessIntakeKey, redresstest.ProcessAgentKey
	env := redresstest.ProcessEnv(t, infra, `sla:
  P1: {ack_within: 20s, resolve_within: 10m}
  P2: {ack_within: 20s, resolve_within: 10m}
  P3: {ack_within: 20s, resolve_within: 10m}
  P4: {ack_within: 20s, resolve_within: 10m}
`, "REDRESS_WEBHOOK_URL="+hook.URL, "REDRESS_WEBHOOK_SECRET=webhook-secret-0123456789abcdef")
	addrs := []string{"127.0.0.1:" + redresstest.FreePort(t), "127.0.0.1:" + redresstest.FreePort(t)}
	apis := make([]*redresstest.Process, 2)
	for i, addr := range addrs {
		apis[i] = redresstest.StartProcess(t, append(env, "REDRESS_HTTP_ADDR="+addr), "api")
	}
	workerEnv := func() []string { return append(env, "REDRESS_METRICS_ADDR=127.0.0.1:"+redresstest.FreePort(t)) }
	victim := redresstest.StartProcess(t, workerEnv(), "worker")
	redresstest.StartProcess(t, workerEnv(), "worker")
	for _, addr := range addrs {
		redresstest.WaitReady(t, "http://"+addr+"/readyz", 2*time.Minute)
	}

	// The faults, at random moments of a fixed seed while the clients send.
	faults := rand.New(rand.NewPCG(7, 11))
	stop := make(chan struct{})
	faultsDone := make(chan struct{})
	go func() {
		defer close(faultsDone)
		for kill := range 5 {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(1000+faults.IntN(3000)) * time.Millisecond):
			}
			victim.Kill()
			if kill == 1 {
				apis[0].Kill() // the clients fall back on the other API
			}
			time.Sleep(time.Duration(500+faults.IntN(1500)) * time.Millisecond)
			victim = redresstest.StartProcess(t, workerEnv(), "worker")
		}
	}()

	client := &http.Client{Timeout: 20 * time.Second}
	var serverErrors atomic.Int64
	// send posts to one API and, on a dropped connection or a 503, the
	// same request to the other, until one answers.
	send := func(path, key string, body any, idempotencyKey string, first int) (int, []byte) {
		payload, _ := json.Marshal(body)
		for attempt := 0; ; attempt++ {
			req, _ := http.NewRequest("POST", "http://"+addrs[(first+attempt)%2]+path, bytes.NewReader(payload))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			if idempotencyKey != "" {
				req.Header.Set("Idempotency-Key", idempotencyKey)
			}
			resp, err := client.Do(req)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 500 {
					return resp.StatusCode, b
				}
				if resp.StatusCode != http.StatusServiceUnavailable {
					serverErrors.Add(1)
				}
			}
			if attempt > 100 {
				t.Errorf("POST %s: no answer after 100 tries: %v", path, err)
				return 0, nil
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	type filed struct {
		id       string
		acked    bool
		ackedBy  time.Time // when the acknowledgement was accepted
		filedAt  time.Time
		retryKey string
	}
	complaints := make([]filed, chaosComplaints)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				key := fmt.Sprintf("chaos-%d", i)
				status, body := send("/v1/complaints", intakeKey, newComplaint(key), key, i)
				if status != http.StatusCreated && status != http.StatusOK {
					t.Errorf("intake %d: %d %s", i, status, body)
					continue
				}
				var c struct{ ID string }
				_ = json.Unmarshal(body, &c)
				complaints[i] = filed{id: c.ID, filedAt: time.Now(), retryKey: key}
				if i%2 == 0 {
					status, body := send("/v1/complaints/"+c.ID+"/acknowledge", agentKey, map[string]any{"agent": "Ana"}, "ack-"+key, i)
					if status != http.StatusOK {
						t.Errorf("acknowledge %s: %d %s", c.ID, status, body)
						continue
					}
					complaints[i].acked, complaints[i].ackedBy = true, time.Now()
				}
			}
		})
	}
	for i := range chaosComplaints {
		work <- i
	}
	close(work)
	wg.Wait()
	close(stop)
	<-faultsDone
	// A retried intake returns the first answer.
	for _, i := range []int{0, 1, chaosComplaints - 1} {
		status, body := send("/v1/complaints", intakeKey, newComplaint(complaints[i].retryKey), complaints[i].retryKey, 1)
		var c struct{ ID string }
		_ = json.Unmarshal(body, &c)
		if status >= 300 || c.ID != complaints[i].id {
			t.Errorf("retry of intake %d: %d, id %q; want the first answer, id %q", i, status, c.ID, complaints[i].id)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, infra.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	// Every complaint left alone breaches its window; every acknowledged
	// one is acknowledged, unbreached when it was acknowledged in time.
	for {
		var waiting int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE status = 'received' AND escalation_level = 0`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d complaints left alone never breached", waiting)
		}
		time.Sleep(time.Second)
	}
	var inPostgres, distinct int
	if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT id) FROM complaints`).Scan(&inPostgres, &distinct); err != nil {
		t.Fatal(err)
	}
	if inPostgres != chaosComplaints || distinct != chaosComplaints {
		t.Errorf("PostgreSQL holds %d complaints (%d distinct); %d were accepted", inPostgres, distinct, chaosComplaints)
	}
	for _, c := range complaints {
		var status string
		var level int
		var breached bool
		if err := conn.QueryRow(ctx, `SELECT status, escalation_level, sla_breached FROM complaints WHERE id = $1`, c.id).
			Scan(&status, &level, &breached); err != nil {
			t.Fatalf("complaint %s: %v", c.id, err)
		}
		switch {
		case c.acked && status != "acknowledged":
			t.Errorf("complaint %s was acknowledged but is %s", c.id, status)
		case c.acked && c.ackedBy.Sub(c.filedAt) < 15*time.Second && breached:
			t.Errorf("complaint %s was acknowledged within 15 s of its 201 but breached its 20 s window", c.id)
		case !c.acked && (status != "received" || level < 1 || !breached):
			t.Errorf("complaint %s was left alone: %s at level %d, breached %v; want received, escalated, breached", c.id, status, level, breached)
		}
	}
	count, err := infra.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: `WorkflowType="Complaint"`})
	if err != nil {
		t.Fatal(err)
	}
	if count.Count != chaosComplaints {
		t.Errorf("Temporal runs %d complaint workflows; %d complaints were accepted", count.Count, chaosComplaints)
	}
	var events, repeated int
	if err := conn.QueryRow(ctx, `SELECT count(*), count(*) - count(DISTINCT (complaint_id, type, data->>'level'))
		FROM outbox WHERE type IN ('complaint.received', 'complaint.acknowledged', 'complaint.escalated')`).Scan(&events, &repeated); err != nil {
		t.Fatal(err)
	}
	if repeated != 0 {
		t.Errorf("the outbox holds %d events twice", repeated)
	}
	// Every event reaches the webhook; duplicates are allowed and reported.
	for {
		var undelivered int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE delivered_at IS NULL`).Scan(&undelivered); err != nil {
			t.Fatal(err)
		}
		if undelivered == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d events never reached the webhook", undelivered)
		}
		time.Sleep(time.Second)
	}
	var outbox int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&outbox); err != nil {
		t.Fatal(err)
	}
	received, duplicates := receiver.counts()
	if received != outbox {
		t.Errorf("the webhook received %d distinct events; the outbox holds %d", received, outbox)
	}
	if serverErrors.Load() != 0 {
		t.Errorf("clients met %d answers of 500 or over other than 503", serverErrors.Load())
	}
	t.Logf("%d complaints accepted, %d found in PostgreSQL and %d workflows in Temporal; %d outbox events, "+
		"%d delivered, %d duplicate deliveries; 5 worker kills, 1 API kill",
		chaosComplaints, inPostgres, count.Count, outbox, received, duplicates)
}

// webhookCounter receives the events, counting each id and the deliveries
// beyond the first.
type webhookCounter struct {
	mu         sync.Mutex
	seen       map[string]int
	duplicates int
}

func newWebhookCounter() *webhookCounter { return &webhookCounter{seen: map[string]int{}} }

func (w *webhookCounter) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var e struct{ ID string }
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil || e.ID == "" {
		http.Error(rw, "no event", http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	w.seen[e.ID]++
	if w.seen[e.ID] > 1 {
		w.duplicates++
	}
	w.mu.Unlock()
	rw.WriteHeader(http.StatusNoContent)
}

func (w *webhookCounter) counts() (distinct, duplicates int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seen), w.duplicates
}
