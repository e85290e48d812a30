// Package bench measures intake against the engine's own ceiling on the
// same embedded Temporal server: run with `make bench`.
package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress/redresstest"
)

func TestMain(m *testing.M) { redresstest.Main(m) }

// engines are the Temporal persistences intake is measured on: the dev
// stack's SQLite, and PostgreSQL with one and four history shards, as the
// production shape runs it.
var engines = []struct {
	name   string
	shards int
}{{"sqlite", 0}, {"postgres-1-shard", 1}, {"postgres-4-shards", 4}}

// BenchmarkIntake files complaints at 1, 16 and 64 concurrent clients on
// each engine and, on the same server in the same run, starts an empty
// workflow as often: the engine's own ceiling beside what Redress makes of
// it. Run with `make bench`.
func BenchmarkIntake(b *testing.B) {
	for _, engine := range engines {
		b.Run(engine.name, func(b *testing.B) {
			s := redresstest.StartStack(b, redresstest.StackOptions{TemporalShards: engine.shards})
			w := sdkworker.New(s.Temporal, "bench-empty", sdkworker.Options{})
			w.RegisterWorkflow(Empty)
			if err := w.Start(); err != nil {
				b.Fatal(err)
			}
			defer w.Stop()
			for _, clients := range []int{1, 16, 64} {
				calls := 100 * clients
				if clients == 64 {
					calls = 2000
				}
				b.Run(fmt.Sprintf("clients=%d/complaints", clients), func(b *testing.B) {
					run(b, clients, calls, func(i int) error {
						r := s.Do("POST", "/v1/complaints", "dev-intake", map[string]any{
							"customer":    map[string]any{"external_id": fmt.Sprintf("bench-%d", i%500), "email": fmt.Sprintf("bench-%d@example.com", i%500)},
							"channel":     "web",
							"subject":     "Parcel never arrived",
							"description": "The courier marked it delivered but nothing came.",
						}, "Idempotency-Key", fmt.Sprintf("bench-%d-%d", clients, i))
						if r.Status != http.StatusCreated {
							return fmt.Errorf("%d %s", r.Status, r.Body)
						}
						return nil
					})
				})
				b.Run(fmt.Sprintf("clients=%d/empty-workflows", clients), func(b *testing.B) {
					run(b, clients, calls, func(i int) error {
						_, err := s.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
							ID: fmt.Sprintf("bench-%d-%d", clients, i), TaskQueue: "bench-empty"}, Empty)
						return err
					})
				})
			}
		})
	}
}

// Empty is the cheapest possible workflow: the engine's ceiling for starts.
func Empty(ctx workflow.Context) error { return nil }

// run makes calls calls from clients goroutines and reports throughput and
// latency.
func run(b *testing.B, clients, calls int, call func(i int) error) {
	latencies := make([]time.Duration, calls)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= calls {
					return
				}
				t := time.Now()
				if err := call(i); err != nil {
					failed.Add(1)
				}
				latencies[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failed.Load() > 0 {
		b.Fatalf("%d of %d calls failed", failed.Load(), calls)
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(latencies[calls/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[calls*99/100].Microseconds())/1000, "p99-ms")
}
