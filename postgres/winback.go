package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// ApplyWinback projects one step of a win-back flow: the customer's record
// of the run, its events, and, when a complaint triggered it (a campaign's
// do not), the complaint's win-back state and timeline lines. Idempotent; a
// finished record is never taken back to offered.
func (db *DB) ApplyWinback(ctx context.Context, ch redress.WinbackChange) error {
	winback, _ := json.Marshal(ch.Winback)
	var finishedAt *time.Time
	if ch.Winback.Status == redress.WinbackFinished {
		finishedAt = &ch.At
	}
	setOutcomes, outcomeArgs := outcomesOf(ch.Timeline).set(3)
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO winbacks (workflow_run_id, customer_id, complaint_id, reason, offer, status, outcome, started_at, finished_at, tier)
			VALUES ($1, $2, nullif($3, '')::uuid, $4, $5, $6, nullif($7, ''), $8, $9, $10)
			ON CONFLICT (workflow_run_id) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,
				finished_at = excluded.finished_at
			WHERE winbacks.status <> 'finished'`,
			ch.RunID, ch.CustomerID, ch.ComplaintID, ch.Reason, ch.Winback.Offer, ch.Winback.Status, ch.Winback.Outcome,
			ch.StartedAt, finishedAt, ch.Tier); err != nil {
			return err
		}
		if ch.Coupon != nil {
			if err := db.storeCoupon(ctx, tx, ch); err != nil {
				return err
			}
		}
		if ch.ComplaintID != "" {
			// One statement for the row, as in ApplyChange.
			if _, err := tx.Exec(ctx, `UPDATE complaints SET winback = $2, `+setOutcomes+` WHERE id = $1`,
				append([]any{ch.ComplaintID, winback}, outcomeArgs...)...); err != nil {
				return err
			}
			if err := db.insertTimeline(ctx, tx, ch.ComplaintID, ch.Seq, ch.Timeline); err != nil {
				return err
			}
		}
		return db.insertEvents(ctx, tx, ch.Events)
	}))
}

// Winbacks lists a customer's win-back runs, newest first.
func (db *DB) Winbacks(ctx context.Context, customerID string) ([]redress.WinbackRecord, error) {
	rows, err := db.pool.Query(ctx, `SELECT w.workflow_run_id, w.complaint_id, w.reason, w.offer, w.status, coalesce(w.outcome, ''),
			w.started_at, w.finished_at, c.code, c.percent::float8, c.expires_at, c.redeemed_at
		FROM winbacks w LEFT JOIN coupons c USING (workflow_run_id)
		WHERE w.customer_id = $1 ORDER BY w.started_at DESC, w.workflow_run_id`, customerID)
	if err != nil {
		return nil, wrap(err)
	}
	o := db.opener(ctx, db.pool)
	records, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.WinbackRecord, error) {
		var w redress.WinbackRecord
		var complaintID *uuid.UUID
		var code *string
		var percent *float64
		var expires *time.Time
		if err := row.Scan(&w.RunID, &complaintID, &w.Reason, &w.Offer, &w.Status, &w.Outcome, &w.StartedAt, &w.FinishedAt,
			&code, &percent, &expires, &w.CouponUsed); err != nil {
			return w, err
		}
		if code != nil {
			w.Coupon = &redress.Coupon{Code: *code, Percent: *percent, ExpiresAt: expires.UTC()}
			o.text(place("coupons.code", w.RunID), &w.Coupon.Code)
		}
		if complaintID != nil {
			id := complaintID.String()
			w.ComplaintID = &id
		}
		w.StartedAt = w.StartedAt.UTC()
		if w.FinishedAt != nil {
			*w.FinishedAt = w.FinishedAt.UTC()
		}
		return w, nil
	})
	if err == nil {
		err = o.err
	}
	return records, wrap(err)
}

// customerPurchases are the purchases of customer $1, who may since have
// been merged into another: that one's purchases are theirs.
const customerPurchases = `(SELECT id, at FROM purchases
	WHERE customer_id = $1 OR customer_id = (SELECT merged_into FROM customers WHERE id = $1))`

// PurchasedWithin reports whether the customer bought anything from from to
// until, both included (redress.WinsBack).
func (db *DB) PurchasedWithin(ctx context.Context, customerID string, from, until time.Time) (bool, error) {
	var found bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+customerPurchases+` p WHERE at BETWEEN $2 AND $3)`,
		customerID, from, until).Scan(&found)
	return found, wrap(err)
}

// PurchasedSince reports whether the customer bought anything at or after t:
// the last look of win-backs offered before PurchasedWithin.
func (db *DB) PurchasedSince(ctx context.Context, customerID string, t time.Time) (bool, error) {
	var found bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+customerPurchases+` p WHERE at >= $2)`,
		customerID, t).Scan(&found)
	return found, wrap(err)
}

// WinbackRunning tells whether a win-back is under way for the customer:
// its record stays offered until it ends, and moves with a merge.
func (db *DB) WinbackRunning(ctx context.Context, customerID string) (bool, error) {
	var running bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM winbacks WHERE customer_id::text = $1 AND status = 'offered')`,
		customerID).Scan(&running)
	return running, wrap(err)
}

// Purchases are the customer's purchases, newest first, at most limit.
func (db *DB) Purchases(ctx context.Context, customerID string, limit int) ([]redress.Purchase, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text, customer_id::text, amount::float8, currency, at FROM purchases
		WHERE customer_id::text = $1 ORDER BY at DESC, id DESC LIMIT $2`, customerID, limit)
	if err != nil {
		return nil, wrap(err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Purchase, error) {
		var p redress.Purchase
		err := row.Scan(&p.ID, &p.CustomerID, &p.Amount, &p.Currency, &p.At)
		p.At = p.At.UTC()
		return p, err
	})
	return list, wrap(err)
}
