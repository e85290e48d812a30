// Package metrics holds a process's Prometheus registry: the Go runtime's
// and the process's series, the Temporal SDK's client and worker series,
// and whatever the API adds. Every part of one process reports into the one
// registry, so that `redress dev` shows the worker's series on the API's
// /metrics.
package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Registry is a process's registry with the Temporal SDK's handler that
// reports into it. Close it after the Temporal client.
type Registry struct {
	*prometheus.Registry
	// Temporal is the SDK client's metrics handler (client.Options
	// MetricsHandler): its series are named temporal_*, counters ending in
	// _total and latencies in _seconds.
	Temporal client.MetricsHandler
	sdk      io.Closer
}

// sdkReportInterval is how often the SDK's counters and gauges reach the
// registry; latencies reach it at once.
const sdkReportInterval = time.Second

// New builds a process's registry.
func New(logger *slog.Logger) *Registry {
	r := &Registry{Registry: NewRegistry()}
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:       r.Registry,
		DefaultTimerType: tallyprom.HistogramTimerType,
		// From a millisecond to over two minutes: long polls take a minute.
		DefaultHistogramBuckets: prometheus.ExponentialBuckets(0.001, 2, 18),
		// A series the SDK tags two ways is dropped, not the process.
		OnRegisterError: func(err error) { logger.Warn("a Temporal SDK metric could not be registered", "error", err) },
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{CachedReporter: reporter, Separator: tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions}, sdkReportInterval)
	r.Temporal, r.sdk = sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)), closer
	return r
}

// NewRegistry is a registry with the Go runtime's and the process's
// collectors alone, for a server built without a process's registry.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Close reports the SDK's last counts and stops reporting them.
func (r *Registry) Close() error { return r.sdk.Close() }

// Handler serves reg in Prometheus's text format. A collector that fails
// leaves its series out; the rest are still served.
func Handler(reg prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Serve answers GET /metrics on l, and nothing else, until ctx ends: the
// worker's listener, which has no API to carry them.
func (r *Registry) Serve(ctx context.Context, l net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Handler(r.Registry))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
