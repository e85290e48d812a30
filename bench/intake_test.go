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

const clients = 16

// run spreads n calls over the clients and reports throughput and latency.
func run(b *testing.B, call func(i int) error) {
	latencies := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t := time.Now()
				if err := call(i); err != nil {
					failed.Add(1)
				}
				latencies[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d of %d calls failed", failed.Load(), b.N)
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(latencies[b.N/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[b.N*99/100].Microseconds())/1000, "p99-ms")
}

func BenchmarkIntake(b *testing.B) {
	s := redresstest.StartStack(b, redresstest.StackOptions{})
	run(b, func(i int) error {
		r := s.Do("POST", "/v1/complaints", "dev-intake", map[string]any{
			"customer":    map[string]any{"external_id": fmt.Sprintf("bench-%d", i%500), "email": fmt.Sprintf("bench-%d@example.com", i%500)},
			"channel":     "web",
			"subject":     "Parcel never arrived",
			"description": "The courier marked it delivered but nothing came.",
		}, "Idempotency-Key", fmt.Sprintf("bench-%d-%d", b.N, i))
		if r.Status != http.StatusCreated {
			return fmt.Errorf("%d %s", r.Status, r.Body)
		}
		return nil
	})
}

// Empty is the cheapest possible workflow: the engine's ceiling for starts.
func Empty(ctx workflow.Context) error { return nil }

func BenchmarkStartWorkflow(b *testing.B) {
	s := redresstest.StartStack(b, redresstest.StackOptions{})
	w := sdkworker.New(s.Temporal, "bench-empty", sdkworker.Options{})
	w.RegisterWorkflow(Empty)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	run(b, func(i int) error {
		_, err := s.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
			ID: fmt.Sprintf("bench-%d-%d", b.N, i), TaskQueue: "bench-empty"}, Empty)
		return err
	})
}
