package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// AddCustomerNote writes an internal note about a customer, with who wrote
// it; a customer merged into another is noted on that one.
func (db *DB) AddCustomerNote(ctx context.Context, customerID, by, note string) (redress.CustomerNote, error) {
	n := redress.CustomerNote{By: by, Note: note}
	err := db.pool.QueryRow(ctx, `INSERT INTO customer_notes (customer_id, made_by, note)
		SELECT coalesce(merged_into, id), $2, $3 FROM customers WHERE id::text = $1 RETURNING at`, customerID, by, note).Scan(&n.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, redress.Errorf(redress.ENOTFOUND, "no customer %q", customerID)
	}
	n.At = n.At.UTC()
	return n, wrap(err)
}

// CustomerNotes are the notes about a customer and the customers merged
// into it, oldest first.
func (db *DB) CustomerNotes(ctx context.Context, customerID string) ([]redress.CustomerNote, error) {
	rows, err := db.pool.Query(ctx, `SELECT at, made_by, note FROM customer_notes n JOIN customers c ON c.id = n.customer_id
		WHERE c.id::text = $1 OR c.merged_into::text = $1 ORDER BY n.id`, customerID)
	if err != nil {
		return nil, wrap(err)
	}
	notes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.CustomerNote, error) {
		var n redress.CustomerNote
		err := row.Scan(&n.At, &n.By, &n.Note)
		n.At = n.At.UTC()
		return n, err
	})
	if notes == nil {
		notes = []redress.CustomerNote{}
	}
	return notes, wrap(err)
}
