package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

func recordActionKey(ctx context.Context, tx pgx.Tx, complaintID, updateID string) error {
	_, err := tx.Exec(ctx, `INSERT INTO action_keys (complaint_id, update_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		complaintID, updateID)
	return err
}

// ActionApplied reports whether the keyed Update was applied to the
// complaint, in any run of its workflow or from PostgreSQL.
func (db *DB) ActionApplied(ctx context.Context, complaintID, updateID string) (bool, error) {
	var applied bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM action_keys WHERE complaint_id = $1 AND update_id = $2)`,
		complaintID, updateID).Scan(&applied)
	return applied, wrap(err)
}

// lateNoteSeq numbers the notes written after a complaint's workflow ended,
// in a range of their own above the workflow's and its win-backs' lines.
const lateNoteSeq = 200000

// AddLateNote writes a staff note on a complaint whose workflow no longer
// runs: notes are allowed in any status (SPEC section 4). Under an update
// id it is written once.
func (db *DB) AddLateNote(ctx context.Context, complaintID string, note redress.TimelineEntry, updateID string) error {
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// The complaint's row lock orders concurrent late notes.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM complaints WHERE id = $1 FOR UPDATE`, complaintID); err != nil {
			return err
		}
		if updateID != "" {
			tag, err := tx.Exec(ctx, `INSERT INTO action_keys (complaint_id, update_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
				complaintID, updateID)
			if err != nil || tag.RowsAffected() == 0 {
				return err // written before: a retry
			}
		}
		var seq int
		if err := tx.QueryRow(ctx, `SELECT greatest(coalesce(max(seq), 0), $2) + 1 FROM timeline WHERE complaint_id = $1`,
			complaintID, lateNoteSeq).Scan(&seq); err != nil {
			return err
		}
		return db.insertTimeline(ctx, tx, complaintID, seq, []redress.TimelineEntry{note})
	}))
}
