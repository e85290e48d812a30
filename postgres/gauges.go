package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// OpenCount is how many open complaints have one status and escalation
// level.
type OpenCount struct {
	Status redress.Status
	Level  int
	Count  int
}

// OpenCounts counts the open complaints by status and escalation level;
// pairs with none are left out.
func (db *DB) OpenCounts(ctx context.Context) ([]OpenCount, error) {
	rows, err := db.pool.Query(ctx, `SELECT c.status, c.escalation_level, count(*) FROM complaints c
		WHERE `+openComplaint+` GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	counts := []OpenCount{}
	for rows.Next() {
		var c OpenCount
		if err := rows.Scan(&c.Status, &c.Level, &c.Count); err != nil {
			return nil, wrap(err)
		}
		counts = append(counts, c)
	}
	return counts, wrap(rows.Err())
}

// DueSoonCounts counts, per priority, the complaints of the breaching-soon
// queue: open, with a deadline inside the horizon of their SLA row. Every
// priority has an entry, zero when none is due.
func (db *DB) DueSoonCounts(ctx context.Context, by map[string]redress.Horizon) (map[redress.Priority]int, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	rows, err := db.pool.Query(ctx, `SELECT c.priority, count(*) FROM complaints c
		WHERE `+openComplaint+` AND `+breachingSoon(by, arg)+` GROUP BY 1`, args...)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	counts := map[redress.Priority]int{}
	for _, p := range redress.Priorities {
		counts[p] = 0
	}
	for rows.Next() {
		var p redress.Priority
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, wrap(err)
		}
		counts[p] = n
	}
	return counts, wrap(rows.Err())
}

// OutboxBacklog is the outbox's undelivered messages: how many, and when the
// oldest of them happened (zero when there is none).
func (db *DB) OutboxBacklog(ctx context.Context) (count int, oldest time.Time, err error) {
	var at *time.Time
	err = db.pool.QueryRow(ctx, `SELECT count(*), min(occurred_at) FROM outbox WHERE delivered_at IS NULL`).Scan(&count, &at)
	if err != nil || at == nil {
		return count, time.Time{}, wrap(err)
	}
	return count, at.UTC(), nil
}

// WebhookBacklog is one endpoint's deliveries still pending.
type WebhookBacklog struct {
	EndpointID, ManagedBy string
	Enabled               bool
	Pending               int
	Oldest                time.Time // zero when none is pending
}

// WebhookBacklogs are every endpoint's pending deliveries, none included.
func (db *DB) WebhookBacklogs(ctx context.Context) ([]WebhookBacklog, error) {
	rows, err := db.pool.Query(ctx, `SELECT e.id::text, e.managed_by, e.enabled, count(d.id), min(d.created_at)
		FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id AND d.status = 'pending'
		GROUP BY e.id ORDER BY e.id`)
	if err != nil {
		return nil, wrap(err)
	}
	backlogs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (WebhookBacklog, error) {
		var b WebhookBacklog
		var oldest *time.Time
		err := row.Scan(&b.EndpointID, &b.ManagedBy, &b.Enabled, &b.Pending, &oldest)
		if oldest != nil {
			b.Oldest = oldest.UTC()
		}
		return b, err
	})
	return backlogs, wrap(err)
}
