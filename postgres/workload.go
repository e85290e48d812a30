package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// openStatuses is redress.OpenStatuses as an SQL list, written as the queue
// indexes' predicate is, so that the planner can use them.
var openStatuses = func() string {
	quoted := make([]string, len(redress.OpenStatuses))
	for i, s := range redress.OpenStatuses {
		quoted[i] = "'" + string(s) + "'"
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}()

// WorkloadCell is what one person holds at one escalation level: the open
// complaints, how many of them breached an SLA, and how many complaints now
// held there were acknowledged or resolved since the day began.
type WorkloadCell struct {
	Assignee          string // "" for the unassigned
	Level             int
	Open              int
	Breached          int
	AcknowledgedToday int
	ResolvedToday     int
}

// Workload is today's work per assignee and escalation level, ordered by
// assignee and level. dayStart is the day's first instant in the policy's
// time zone; a complaint counts where it is held now.
func (db *DB) Workload(ctx context.Context, dayStart time.Time) ([]WorkloadCell, error) {
	rows, err := db.pool.Query(ctx, `SELECT assignee, escalation_level,
			count(*) FILTER (WHERE status IN `+openStatuses+`),
			count(*) FILTER (WHERE status IN `+openStatuses+` AND sla_breached),
			count(*) FILTER (WHERE acknowledged_at >= $1),
			count(*) FILTER (WHERE resolved_at >= $1)
		FROM complaints
		WHERE status IN `+openStatuses+` OR acknowledged_at >= $1 OR resolved_at >= $1
		GROUP BY 1, 2 ORDER BY 1, 2`, dayStart)
	if err != nil {
		return nil, wrap(err)
	}
	cells, err := pgx.CollectRows(rows, pgx.RowToStructByPos[WorkloadCell])
	return cells, wrap(err)
}

// Breaches lists the open complaints that breached an SLA or whose next
// deadline has passed at now, the longest overdue first (the more urgent
// priority first among equals), at most limit of them.
func (db *DB) Breaches(ctx context.Context, now time.Time, limit int) ([]redress.Complaint, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+complaintColumns+` FROM complaints
		WHERE status IN `+openStatuses+` AND (sla_breached OR next_due_at <= $1)
		ORDER BY next_due_at, priority, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, wrap(err)
	}
	breaches, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Complaint, error) {
		c, err := db.scanComplaint(ctx, db.pool, row)
		if err != nil {
			return redress.Complaint{}, err
		}
		return *c, nil
	})
	return breaches, wrap(err)
}
