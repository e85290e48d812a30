package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// ApplyWinback projects one step of a win-back flow: its events, and, when
// a complaint triggered it (a campaign's do not), the complaint's win-back
// state and timeline lines. Idempotent.
func (db *DB) ApplyWinback(ctx context.Context, ch redress.WinbackChange) error {
	winback, _ := json.Marshal(ch.Winback)
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if ch.ComplaintID != "" {
			if _, err := tx.Exec(ctx, `UPDATE complaints SET winback = $2 WHERE id = $1`, ch.ComplaintID, winback); err != nil {
				return err
			}
			if err := insertTimeline(ctx, tx, ch.ComplaintID, ch.Seq, ch.Timeline); err != nil {
				return err
			}
		}
		return insertEvents(ctx, tx, ch.Events)
	}))
}

// AddPurchase records a customer's purchase.
func (db *DB) AddPurchase(ctx context.Context, p redress.Purchase) (*redress.Purchase, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	p.ID = id.String()
	_, err = db.pool.Exec(ctx, `INSERT INTO purchases (id, customer_id, amount, currency, at) VALUES ($1, $2, $3, $4, $5)`,
		p.ID, p.CustomerID, p.Amount, p.Currency, p.At)
	return &p, wrap(err)
}

// PurchasedSince reports whether the customer bought anything at or after t.
func (db *DB) PurchasedSince(ctx context.Context, customerID string, t time.Time) (bool, error) {
	var found bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM purchases WHERE customer_id = $1 AND at >= $2)`,
		customerID, t).Scan(&found)
	return found, wrap(err)
}
