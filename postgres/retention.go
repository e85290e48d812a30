package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// ClosedBefore are complaints closed (or merged away) before the cutoff
// whose personal data is still kept, in id order after the given one; at
// most limit.
func (db *DB) ClosedBefore(ctx context.Context, cutoff time.Time, after string, limit int) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM complaints
		WHERE status IN ('closed', 'merged') AND closed_at < $1 AND anonymized_at IS NULL AND id > $2
		ORDER BY id LIMIT $3`, cutoff, uuidAfter(after), limit)
	if err != nil {
		return nil, wrap(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap(err)
}

// AnonymizeComplaint erases a complaint's personal data, as
// anonymizeComplaints does, and records it in the audit log.
func (db *DB) AnonymizeComplaint(ctx context.Context, id, by, reason string) error {
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var done bool
		err := tx.QueryRow(ctx, `SELECT anonymized_at IS NOT NULL FROM complaints WHERE id::text = $1 FOR UPDATE`, id).Scan(&done)
		if err != nil || done {
			return err
		}
		if err := anonymizeComplaints(ctx, tx, []string{id}); err != nil {
			return err
		}
		return appendAudit(ctx, tx, redress.AuditLine{Actor: by, Action: redress.AuditErase, Target: "complaint:" + id,
			Detail: map[string]any{"phase": "anonymized", "reason": reason}})
	}))
}

// CustomersWithNothingKept are customers, not merged away nor being
// erased, who have complaints and none that still holds personal data: the
// ones retention erases whole.
func (db *DB) CustomersWithNothingKept(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT cu.id::text FROM customers cu
		WHERE cu.merged_into IS NULL AND cu.erasure_requested_at IS NULL AND cu.id > $1
			AND EXISTS (SELECT FROM complaints c WHERE c.customer_id = cu.id)
			AND NOT EXISTS (SELECT FROM complaints c WHERE c.customer_id = cu.id AND c.anonymized_at IS NULL)
		ORDER BY cu.id LIMIT $2`, uuidAfter(after), limit)
	if err != nil {
		return nil, wrap(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap(err)
}
