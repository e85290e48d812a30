package e2e

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

// chaosComplaints is how many complaints the chaos test files.
const chaosComplaints = 500

// Faults while complaints flow through the production shape (Temporal on
// PostgreSQL, two API and two worker processes): one worker is killed
// with SIGKILL at random moments five times and started again while the
// other keeps running, and one API process is killed while clients send;
// the clients retry with the same Idempotency-Key against the other API.
// The complaints follow the workload's scripts (every agent and customer
// action; a quarter left to breach their 20-second window). Afterwards
// every accepted complaint is in PostgreSQL once and has one workflow,
// each is in the state its actions and timers imply, every event is in the
// outbox once and reached the webhook, whose duplicate deliveries (which
// at-least-once allows) are counted and reported.
func TestChaosKilledProcesses(t *testing.T) {
	infra := redresstest.StartStack(t, redresstest.StackOptions{TemporalShards: 4, InfraOnly: true})
	const window = 20 * time.Second
	shape := startShape(t, infra.Config.DatabaseURL, infra.Config.TemporalAddress, window)
	victim := shape.startWorker(t)
	shape.startWorker(t)

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
				shape.apis[0].Kill() // the clients fall back on the other API
			}
			time.Sleep(time.Duration(500+faults.IntN(1500)) * time.Millisecond)
			victim = shape.startWorker(t)
		}
	}()

	w := newWorkload(t, shape.addrs, "chaos", shape.hook)
	var clients sync.WaitGroup
	work := make(chan int)
	for range 8 {
		clients.Go(func() {
			for i := range work {
				w.run(i, redresstest.ProcessIntakeKey, redresstest.ProcessAgentKey)
			}
		})
	}
	for i := range chaosComplaints {
		work <- i
	}
	close(work)
	clients.Wait()
	close(stop)
	<-faultsDone
	// A retried intake returns the first answer.
	for _, c := range w.complaints[:3] {
		status, body, _ := w.post("/v1/complaints", redresstest.ProcessIntakeKey, newComplaint(c.key), c.key, 1)
		var again struct{ ID string }
		_ = json.Unmarshal(body, &again)
		if status >= 300 || again.ID != c.id {
			t.Errorf("retry of intake %s: %d, id %q; want the first answer, id %q", c.key, status, again.ID, c.id)
		}
	}
	if len(w.complaints) != chaosComplaints {
		t.Fatalf("%d of %d complaints were accepted", len(w.complaints), chaosComplaints)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Log(w.verify(ctx, infra.Config.DatabaseURL, infra.Temporal, window) + "; 5 worker kills, 1 API kill")
}
