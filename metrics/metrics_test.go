package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/redress-dev/redress/metrics"
	"github.com/redress-dev/redress/redresstest"
)

// The SDK's series reach the registry under Prometheus's names (counters
// ending in _total, latencies as histograms in _seconds) with their tags as
// labels, and the worker's listener serves them at /metrics alone.
func TestWorkerListenerServesTheSDKSeries(t *testing.T) {
	reg := metrics.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	queue := reg.Temporal.WithTags(map[string]string{"task_queue": "complaints"})
	queue.Counter("temporal_workflow_task_execution_failed").Inc(2)
	queue.Timer("temporal_workflow_task_execution_latency").Record(30 * time.Millisecond)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- reg.Serve(ctx, l) }()
	get := func(path string) (int, []byte) {
		resp, err := http.Get("http://" + l.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}

	deadline := time.Now().Add(5 * time.Second) // the counters are reported once a second
	for {
		status, body := get("/metrics")
		if status != http.StatusOK {
			t.Fatalf("GET /metrics = %d %s", status, body)
		}
		m := redresstest.ParseMetrics(t, body)
		failed, ok := m.Value("temporal_workflow_task_execution_failed_total", "task_queue", "complaints")
		if ok && failed == 2 {
			latency := m["temporal_workflow_task_execution_latency_seconds"]
			if latency == nil || len(latency.GetMetric()) != 1 || latency.GetMetric()[0].GetHistogram().GetSampleCount() != 1 ||
				latency.GetMetric()[0].GetHistogram().GetSampleSum() != 0.03 || !m.Has("go_goroutines") {
				t.Errorf("latency %v, Go's series %v; want one 30 ms sample in a histogram in seconds, beside Go's", latency, m.Has("go_goroutines"))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no temporal_workflow_task_execution_failed_total 2 within 5 s; there are %v", m.Names())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, path := range []string{"/", "/healthz", "/v1/complaints"} {
		if status, _ := get(path); status != http.StatusNotFound {
			t.Errorf("GET %s = %d on the metrics listener; want 404", path, status)
		}
	}
	stop()
	if err := <-served; err != nil {
		t.Errorf("Serve after its context ended: %v", err)
	}
	if err := reg.Close(); err != nil {
		t.Error(err)
	}
}
