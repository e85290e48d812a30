package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// AddCustomerNote writes an internal note about a customer, with who wrote
// it; a customer merged into another is noted on that one. The note is
// sealed with the row's id, taken first.
func (db *DB) AddCustomerNote(ctx context.Context, customerID, by, note string) (redress.CustomerNote, error) {
	n := redress.CustomerNote{By: by, Note: note}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var owner string
		var id int64
		err := tx.QueryRow(ctx, `SELECT coalesce(merged_into, id)::text, nextval(pg_get_serial_sequence('customer_notes', 'id'))
			FROM customers WHERE id::text = $1`, customerID).Scan(&owner, &id)
		if errors.Is(err, pgx.ErrNoRows) {
			return redress.Errorf(redress.ENOTFOUND, "no customer %q", customerID)
		}
		if err != nil {
			return err
		}
		k, err := db.key(ctx, tx, owner)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO customer_notes (id, customer_id, made_by, note) OVERRIDING SYSTEM VALUE
			VALUES ($1, $2, $3, $4) RETURNING at`, id, owner, by, k.Seal(place("customer_notes.note", id), note)).Scan(&n.At)
	})
	n.At = n.At.UTC()
	return n, wrap(err)
}

// CustomerNotes are the notes about a customer and the customers merged
// into it, oldest first.
func (db *DB) CustomerNotes(ctx context.Context, customerID string) ([]redress.CustomerNote, error) {
	rows, err := db.pool.Query(ctx, `SELECT n.id, at, made_by, note FROM customer_notes n JOIN customers c ON c.id = n.customer_id
		WHERE c.id::text = $1 OR c.merged_into::text = $1 ORDER BY n.id`, customerID)
	if err != nil {
		return nil, wrap(err)
	}
	o := db.opener(ctx, db.pool)
	notes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.CustomerNote, error) {
		var n redress.CustomerNote
		var id int64
		err := row.Scan(&id, &n.At, &n.By, &n.Note)
		n.At = n.At.UTC()
		o.text(place("customer_notes.note", id), &n.Note)
		return n, err
	})
	if err == nil {
		err = o.err
	}
	if notes == nil {
		notes = []redress.CustomerNote{}
	}
	return notes, wrap(err)
}
