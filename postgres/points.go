package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// PointsKinds are the kinds of a ledger line.
var PointsKinds = []string{"earned", "granted", "redeemed", "expired"}

// pointsLine is one line to write to a customer's points ledger.
type pointsLine struct {
	customerID  string
	kind        string
	points      int64 // positive earned or granted, negative spent
	expiresAt   *time.Time
	reference   string
	purchaseID  string
	complaintID string
	by          string
}

// addPoints writes a ledger line and moves the balance with it, in the
// caller's transaction, which holds the customer's row lock. A line that
// adds points is a lot, all of it left.
func addPoints(ctx context.Context, tx pgx.Tx, l pointsLine) error {
	var remaining *int64
	if l.points > 0 {
		remaining = &l.points
	}
	if _, err := tx.Exec(ctx, `INSERT INTO points_ledger (customer_id, kind, points, expires_at, reference, purchase_id, complaint_id, made_by, remaining)
		VALUES ($1, $2, $3, $4, $5, nullif($6, '')::uuid, nullif($7, '')::uuid, $8, $9)`,
		l.customerID, l.kind, l.points, l.expiresAt, l.reference, l.purchaseID, l.complaintID, l.by, remaining); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE customers SET points = points + $2 WHERE id = $1`, l.customerID, l.points)
	return err
}

// spendLots takes points from a locked customer's lots, those that expire
// first first (lots that never expire last).
func spendLots(ctx context.Context, tx pgx.Tx, customerID string, points int64) error {
	_, err := tx.Exec(ctx, `WITH lots AS (
			SELECT id, remaining, sum(remaining) OVER (ORDER BY expires_at NULLS LAST, id) AS upto
			FROM points_ledger WHERE customer_id = $1 AND remaining > 0),
		taken AS (SELECT id, least(remaining, $2 - (upto - remaining)) AS take FROM lots WHERE upto - remaining < $2)
		UPDATE points_ledger p SET remaining = p.remaining - taken.take FROM taken WHERE p.id = taken.id`, customerID, points)
	return err
}

// expirePoints writes off what is left of a locked customer's lots expired
// by now.
func expirePoints(ctx context.Context, tx pgx.Tx, customerID string, now time.Time) (int64, error) {
	var lapsed int64
	err := tx.QueryRow(ctx, `WITH lots AS (
			SELECT id, remaining FROM points_ledger WHERE customer_id = $1 AND remaining > 0 AND expires_at <= $2),
		cleared AS (UPDATE points_ledger p SET remaining = 0 FROM lots WHERE p.id = lots.id RETURNING lots.remaining)
		SELECT coalesce(sum(remaining), 0)::bigint FROM cleared`, customerID, now).Scan(&lapsed)
	if err != nil || lapsed == 0 {
		return 0, err
	}
	return lapsed, addPoints(ctx, tx, pointsLine{customerID: customerID, kind: "expired", points: -lapsed, by: "system:loyalty"})
}

// Redemption is points spent, or the first answer to a retry.
type Redemption struct {
	CustomerID string `json:"customer_id"`
	Points     int64  `json:"points"`
	Reference  string `json:"reference"`
	Balance    int64  `json:"balance"`
	Replayed   bool   `json:"-"`
}

// RedeemPoints spends a customer's points under the caller's reference:
// the same reference again is the first redemption, whatever the balance
// is by then; another number of points under it is an ECONFLICT, and so is
// spending more than the balance.
func (db *DB) RedeemPoints(ctx context.Context, customerID string, points int64, reference, by string) (Redemption, error) {
	var out Redemption
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		buyer, err := db.lockBuyer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		out = Redemption{CustomerID: buyer, Points: points, Reference: reference}
		var earlier int64
		err = tx.QueryRow(ctx, `SELECT -points FROM points_ledger WHERE customer_id = $1 AND kind = 'redeemed' AND reference = $2`,
			buyer, reference).Scan(&earlier)
		switch {
		case err == nil && earlier != points:
			return redress.Errorf(redress.ECONFLICT, "the reference %q already redeemed %d points", reference, earlier)
		case err == nil:
			out.Replayed = true
			return tx.QueryRow(ctx, `SELECT points FROM customers WHERE id = $1`, buyer).Scan(&out.Balance)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if _, err := expirePoints(ctx, tx, buyer, time.Now()); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT points FROM customers WHERE id = $1`, buyer).Scan(&out.Balance); err != nil {
			return err
		}
		if out.Balance < points {
			return redress.Errorf(redress.ECONFLICT, "the customer has %d points, fewer than %d", out.Balance, points)
		}
		out.Balance -= points
		if err := spendLots(ctx, tx, buyer, points); err != nil {
			return err
		}
		return addPoints(ctx, tx, pointsLine{customerID: buyer, kind: "redeemed", points: -points, reference: reference, by: by})
	})
	return out, wrap(err)
}

// grantPoints gives a complaint's customer the points its resolution
// compensates with, once per complaint however often it is resolved.
func grantPoints(ctx context.Context, tx pgx.Tx, complaintID string, points int64, expiresAt *time.Time, by string) error {
	var customerID string
	if err := tx.QueryRow(ctx, `SELECT id::text FROM customers
		WHERE id = (SELECT coalesce(cu.merged_into, cu.id) FROM complaints c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = $1)
		FOR UPDATE`, complaintID).Scan(&customerID); err != nil {
		return err
	}
	var granted bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM points_ledger WHERE complaint_id = $1 AND kind = 'granted')`,
		complaintID).Scan(&granted); err != nil || granted {
		return err
	}
	return addPoints(ctx, tx, pointsLine{customerID: customerID, kind: "granted", points: points, expiresAt: expiresAt,
		reference: "complaint " + complaintID, complaintID: complaintID, by: by})
}

// ExpirePoints writes off the lapsed points of a page of customers after
// the id after, and says where the next page starts ("" when done).
func (db *DB) ExpirePoints(ctx context.Context, now time.Time, after string, limit int) (expired int64, next string, err error) {
	start := uuid.Nil
	if after != "" {
		if start, err = uuid.Parse(after); err != nil {
			return 0, "", err
		}
	}
	rows, err := db.pool.Query(ctx, `SELECT DISTINCT customer_id::text FROM points_ledger
		WHERE remaining > 0 AND expires_at <= $1 AND customer_id > $2 ORDER BY 1 LIMIT $3`, now, start, limit)
	if err != nil {
		return 0, "", wrap(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, "", wrap(err)
	}
	for _, id := range ids {
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT FROM customers WHERE id = $1 FOR UPDATE`, id); err != nil {
				return err
			}
			n, err := expirePoints(ctx, tx, id, now)
			expired += n
			return err
		})
		if err != nil {
			return expired, "", wrap(err)
		}
	}
	if len(ids) == limit {
		next = ids[len(ids)-1]
	}
	return expired, next, nil
}

// PointsLine is one line of a customer's points ledger as people read it.
type PointsLine struct {
	At          time.Time  `json:"at"`
	Kind        string     `json:"kind"` // earned, granted, redeemed, expired
	Points      int64      `json:"points"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	Reference   string     `json:"reference,omitempty"`
	ComplaintID string     `json:"complaint_id,omitempty"`
}

// PointsLedger is a customer's ledger, newest first, at most limit lines.
func (db *DB) PointsLedger(ctx context.Context, customerID string, limit int) ([]PointsLine, error) {
	rows, err := db.pool.Query(ctx, `SELECT at, kind, points, expires_at, reference, coalesce(complaint_id::text, '')
		FROM points_ledger WHERE customer_id::text = $1 ORDER BY id DESC LIMIT $2`, customerID, limit)
	if err != nil {
		return nil, wrap(err)
	}
	lines, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PointsLine, error) {
		var l PointsLine
		err := row.Scan(&l.At, &l.Kind, &l.Points, &l.ExpiresAt, &l.Reference, &l.ComplaintID)
		l.At = l.At.UTC()
		return l, err
	})
	return lines, wrap(err)
}
