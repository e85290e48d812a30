package api

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// gaugeTimeout bounds the gauges' queries at each scrape, well inside
// Prometheus's own scrape timeout.
const gaugeTimeout = 2 * time.Second

// businessGauges read the state of the complaints and of the outbox from
// PostgreSQL at each scrape. The API registers them, so every replica
// reports the same numbers.
type businessGauges struct {
	db        *postgres.DB
	policy    redress.Policy
	calendars map[redress.Priority]*redress.Calendar
	logger    *slog.Logger

	open, dueSoon, backlog, oldestAge, webhookBacklog, webhookOldestAge, failed *prometheus.Desc
}

// The queries the gauges come from, as redress_gauge_query_failed names
// them.
const (
	queryOpen    = "open_complaints"
	queryDueSoon = "due_soon"
	queryOutbox  = "outbox"
	queryWebhook = "webhook_deliveries"
)

func newBusinessGauges(db *postgres.DB, policy redress.Policy, calendars map[redress.Priority]*redress.Calendar, logger *slog.Logger) *businessGauges {
	return &businessGauges{db: db, policy: policy, calendars: calendars, logger: logger,
		open: prometheus.NewDesc("redress_open_complaints",
			"Open complaints by status and escalation level.", []string{"status", "level"}, nil),
		dueSoon: prometheus.NewDesc("redress_complaints_due_soon",
			"Open complaints with a deadline inside the policy's warning share, or past it, by priority: the console's Breaching soon queue.",
			[]string{"priority"}, nil),
		backlog: prometheus.NewDesc("redress_outbox_backlog",
			"Outbox messages waiting for delivery.", nil, nil),
		oldestAge: prometheus.NewDesc("redress_outbox_oldest_age_seconds",
			"Age of the oldest undelivered outbox message; 0 when none waits.", nil, nil),
		webhookBacklog: prometheus.NewDesc("redress_webhook_backlog",
			"Webhook deliveries waiting, by endpoint: an endpoint disabled for failing keeps gathering them until it is enabled again.",
			[]string{"endpoint", "managed_by", "enabled"}, nil),
		webhookOldestAge: prometheus.NewDesc("redress_webhook_oldest_age_seconds",
			"Age of an endpoint's oldest waiting delivery; 0 when none waits.", []string{"endpoint", "managed_by", "enabled"}, nil),
		failed: prometheus.NewDesc("redress_gauge_query_failed",
			"1 when the query behind some gauges failed or timed out at this scrape, leaving them out.", []string{"query"}, nil),
	}
}

func (g *businessGauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{g.open, g.dueSoon, g.backlog, g.oldestAge, g.webhookBacklog, g.webhookOldestAge, g.failed} {
		ch <- d
	}
}

// Collect queries the database. A query that fails leaves its gauges out
// and says so in redress_gauge_query_failed; the scrape still succeeds.
func (g *businessGauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), gaugeTimeout)
	defer cancel()
	now := time.Now()
	for _, q := range []struct {
		name    string
		collect func() ([]prometheus.Metric, error)
	}{
		{queryOpen, func() ([]prometheus.Metric, error) { return g.collectOpen(ctx) }},
		{queryDueSoon, func() ([]prometheus.Metric, error) { return g.collectDueSoon(ctx, now) }},
		{queryOutbox, func() ([]prometheus.Metric, error) { return g.collectOutbox(ctx, now) }},
		{queryWebhook, func() ([]prometheus.Metric, error) { return g.collectWebhooks(ctx, now) }},
	} {
		ms, err := q.collect()
		failed := 0.0
		if err != nil {
			g.logger.Warn("a metrics query failed", "query", q.name, "error", err)
			failed, ms = 1, nil
		}
		for _, m := range ms {
			ch <- m
		}
		ch <- prometheus.MustNewConstMetric(g.failed, prometheus.GaugeValue, failed, q.name)
	}
}

// collectOpen reports every open status at every level, zero included, so
// that a series falls to zero rather than vanishing.
func (g *businessGauges) collectOpen(ctx context.Context) ([]prometheus.Metric, error) {
	counts, err := g.db.OpenCounts(ctx)
	if err != nil {
		return nil, err
	}
	type key struct {
		status redress.Status
		level  int
	}
	byKey := map[key]int{}
	for _, c := range counts {
		byKey[key{c.Status, c.Level}] = c.Count
	}
	var ms []prometheus.Metric
	for _, status := range redress.OpenStatuses {
		for level := 0; level <= redress.MaxEscalationLevel; level++ {
			ms = append(ms, prometheus.MustNewConstMetric(g.open, prometheus.GaugeValue,
				float64(byKey[key{status, level}]), string(status), strconv.Itoa(level)))
		}
	}
	return ms, nil
}

func (g *businessGauges) collectDueSoon(ctx context.Context, now time.Time) ([]prometheus.Metric, error) {
	counts, err := g.db.DueSoonCounts(ctx, g.policy.WarningHorizons(now, g.calendars))
	if err != nil {
		return nil, err
	}
	var ms []prometheus.Metric
	for _, p := range redress.Priorities {
		ms = append(ms, prometheus.MustNewConstMetric(g.dueSoon, prometheus.GaugeValue, float64(counts[p]), string(p)))
	}
	return ms, nil
}

func (g *businessGauges) collectOutbox(ctx context.Context, now time.Time) ([]prometheus.Metric, error) {
	count, oldest, err := g.db.OutboxBacklog(ctx)
	if err != nil {
		return nil, err
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(now.Sub(oldest).Seconds(), 0)
	}
	return []prometheus.Metric{
		prometheus.MustNewConstMetric(g.backlog, prometheus.GaugeValue, float64(count)),
		prometheus.MustNewConstMetric(g.oldestAge, prometheus.GaugeValue, age),
	}, nil
}

func (g *businessGauges) collectWebhooks(ctx context.Context, now time.Time) ([]prometheus.Metric, error) {
	backlogs, err := g.db.WebhookBacklogs(ctx)
	if err != nil {
		return nil, err
	}
	var ms []prometheus.Metric
	for _, b := range backlogs {
		age := 0.0
		if !b.Oldest.IsZero() {
			age = max(now.Sub(b.Oldest).Seconds(), 0)
		}
		labels := []string{b.EndpointID, b.ManagedBy, strconv.FormatBool(b.Enabled)}
		ms = append(ms, prometheus.MustNewConstMetric(g.webhookBacklog, prometheus.GaugeValue, float64(b.Pending), labels...),
			prometheus.MustNewConstMetric(g.webhookOldestAge, prometheus.GaugeValue, age, labels...))
	}
	return ms, nil
}
