package e2e

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/redress-dev/redress/devstack"
	"github.com/redress-dev/redress/redresstest"
)

// outage is how long each outage of the chaos test lasts.
const outage = 30 * time.Second

// The production shape through outages of what it stands on, while four
// clients keep filing complaints and following the workload's scripts
// through two API processes, with two worker processes:
//   - PostgreSQL, which holds Redress's database and Temporal's, stops for
//     30 seconds: the clients meet 503 with Retry-After, never a 500, and
//     retry with the same Idempotency-Key;
//   - then the Temporal server (`redress dev --only infra`) is killed and
//     started again 30 seconds later: the acknowledgement windows that
//     passed while it was down escalate once it is back.
//
// Afterwards every accepted complaint is in PostgreSQL once and has one
// workflow, each is in the state its actions and timers imply, and every
// event is in the outbox once and reached the webhook.
func TestChaosOutages(t *testing.T) {
	pg, dir := stoppablePostgres(t)
	t.Cleanup(func() { pg.Stop() }) // after the processes, which stop first
	infra := redresstest.StartInfraProcess(t, pg.URL("redress"))
	// Dialled before the faults: Dial's first call (GetSystemInfo, 5 s)
	// can run out against a server that came back a moment ago on a busy
	// machine, while later calls retry within their context.
	temporal, err := client.Dial(client.Options{HostPort: infra.TemporalAddress, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer temporal.Close()
	const window = 20 * time.Second
	shape := startShape(t, infra.DatabaseURL, infra.TemporalAddress, window)
	shape.startWorker(t)
	shape.startWorker(t)

	w := newWorkload(t, shape.addrs, "outage", shape.hook)
	var next atomic.Int64
	// clients follow the scripts of fresh complaints until stop closes.
	clients := func(stop <-chan struct{}) *sync.WaitGroup {
		var running sync.WaitGroup
		for range 4 {
			running.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
						w.run(int(next.Add(1)-1), redresstest.ProcessIntakeKey, redresstest.ProcessAgentKey)
					}
				}
			})
		}
		return &running
	}

	stop := make(chan struct{})
	running := clients(stop)
	time.Sleep(10 * time.Second)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(outage)
	if pg, err = devstack.StartPostgres(context.Background(), dir, "redress"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Second)
	close(stop)
	running.Wait()
	duringDatabase := w.unavailable.Load()
	if duringDatabase == 0 {
		t.Error("no client met a 503 while PostgreSQL was down")
	}

	stop = make(chan struct{})
	running = clients(stop)
	time.Sleep(15 * time.Second)
	infra.Kill()
	down := time.Now()
	time.Sleep(outage)
	infra.Start(t)
	time.Sleep(5 * time.Second)
	close(stop)
	running.Wait()
	fellDue := 0
	for _, c := range w.complaints {
		if due := c.createdAt.Add(window); c.script == 0 && due.After(down) && due.Before(down.Add(outage)) {
			fellDue++
		}
	}
	if fellDue == 0 {
		t.Error("no complaint left alone had its window pass while Temporal was down")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Logf("%s; PostgreSQL down %s (%d answers of 503 meanwhile), then Temporal down %s, %d acknowledgement windows passing meanwhile",
		w.verify(ctx, infra.DatabaseURL, temporal, window), outage, duringDatabase, outage, fellDue)
}
