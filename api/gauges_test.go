package api_test

import (
	"net/http"
	"testing"

	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/redresstest"
)

// The gauges come from the database at each scrape; when it fails, the
// scrape still answers, with the rest of the series and the failure said.
func TestMetricsSurviveAFailedGaugeQuery(t *testing.T) {
	a := newLimitedAPI(t, config.RateLimits{}, "")
	scrape := func() redresstest.Metrics {
		r := a.call("GET", "/metrics", "192.0.2.1:1", "", "")
		a.expect("GET /metrics", r, http.StatusOK)
		return redresstest.ParseMetrics(t, r.Body.Bytes())
	}
	m := scrape()
	for _, s := range []struct {
		name   string
		labels []string
	}{
		{"redress_open_complaints", []string{"status", "received", "level", "0"}},
		{"redress_open_complaints", []string{"status", "reopened", "level", "3"}},
		{"redress_complaints_due_soon", []string{"priority", "P1"}},
		{"redress_outbox_backlog", nil},
		{"redress_outbox_oldest_age_seconds", nil},
		{"redress_gauge_query_failed", []string{"query", "outbox"}},
	} {
		if v, ok := m.Value(s.name, s.labels...); !ok || v != 0 {
			t.Errorf("%s%v = %v, %v on an empty database; want 0", s.name, s.labels, v, ok)
		}
	}

	a.db.Close()
	m = scrape()
	for _, query := range []string{"open_complaints", "due_soon", "outbox"} {
		if v, ok := m.Value("redress_gauge_query_failed", "query", query); v != 1 || !ok {
			t.Errorf("redress_gauge_query_failed{query=%q} = %v, %v with the database closed; want 1", query, v, ok)
		}
	}
	for _, gone := range []string{"redress_open_complaints", "redress_complaints_due_soon", "redress_outbox_backlog"} {
		if m.Has(gone) {
			t.Errorf("%s is still reported with the database closed", gone)
		}
	}
	if !m.Has("redress_http_requests_total") || !m.Has("go_goroutines") {
		t.Errorf("the other series are gone with the database: %v", m.Names())
	}
}
