package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// CreatePortalLink stores a sign-in link for the address and, in the same
// transaction, the mail that carries it (built by mail for one of the
// address's customers). An address no customer has gets neither, and
// false: the caller answers alike, so nobody learns whose address it is.
func (db *DB) CreatePortalLink(ctx context.Context, email string, tokenHash []byte, expires time.Time,
	mail func(customerID string) redress.Event) (bool, error) {
	sent := false
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		ix, err := db.indexKey(ctx, tx)
		if err != nil {
			return err
		}
		key := ix.Email(email)
		var customerID uuid.UUID
		err = tx.QueryRow(ctx, `SELECT id FROM customers WHERE email_hash = $1 AND erasure_requested_at IS NULL
			ORDER BY created_at LIMIT 1`, key).Scan(&customerID)
		if key == "" || errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO portal_links (token_hash, email_key, expires_at) VALUES ($1, $2, $3)`,
			tokenHash, key, expires); err != nil {
			return err
		}
		sent = true
		return db.insertEvents(ctx, tx, []redress.Event{mail(customerID.String())})
	})
	return sent, wrap(err)
}

// UsePortalLink spends a sign-in link, once and before it expires, and
// opens a session for its address until sessionExpires; a used, expired or
// unknown link is EGONE.
func (db *DB) UsePortalLink(ctx context.Context, tokenHash, sessionHash []byte, sessionExpires time.Time) error {
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var key string
		err := tx.QueryRow(ctx, `UPDATE portal_links SET used_at = now()
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING email_key`, tokenHash).Scan(&key)
		if errors.Is(err, pgx.ErrNoRows) {
			return redress.Errorf(redress.EGONE, "this sign-in link was used or has expired")
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO portal_sessions (session_hash, email_key, expires_at) VALUES ($1, $2, $3)`,
			sessionHash, key, sessionExpires)
		return err
	}))
}

// EndPortalSession signs a session out.
func (db *DB) EndPortalSession(ctx context.Context, sessionHash []byte) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM portal_sessions WHERE session_hash = $1`, sessionHash)
	return wrap(err)
}

// PortalComplaint is one complaint as the portal lists it.
type PortalComplaint struct {
	ID          string
	Subject     string
	Status      redress.Status
	CreatedAt   time.Time
	Survey      string // the survey's status
	SurveyRound int    // the round whose link is out, when the survey waits
}

// PortalComplaints are the complaints of every customer with the signed-in
// session's address (also the customers that share it without its match
// key, migration 0017), newest first; the session knows the address only
// by its keyed hash; an unknown or expired session is
// EUNAUTHORIZED.
func (db *DB) PortalComplaints(ctx context.Context, sessionHash []byte) ([]PortalComplaint, error) {
	var key string
	err := db.pool.QueryRow(ctx, `SELECT email_key FROM portal_sessions WHERE session_hash = $1 AND expires_at > now()`,
		sessionHash).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, redress.Errorf(redress.EUNAUTHORIZED, "sign in again")
	}
	if err != nil {
		return nil, wrap(err)
	}
	rows, err := db.pool.Query(ctx, `SELECT c.id, c.subject, c.status, c.created_at, coalesce(c.survey->>'status', ''),
			coalesce((c.bookkeeping->>'survey_round')::int, 1)
		FROM complaints c JOIN customers cu ON cu.id = c.customer_id
		WHERE cu.email_hash = $1 ORDER BY c.created_at DESC LIMIT 200`, key)
	if err != nil {
		return nil, wrap(err)
	}
	o := db.opener(ctx, db.pool)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PortalComplaint, error) {
		var p PortalComplaint
		var id uuid.UUID
		err := row.Scan(&id, &p.Subject, &p.Status, &p.CreatedAt, &p.Survey, &p.SurveyRound)
		p.ID = id.String()
		o.text(place("complaints.subject", p.ID), &p.Subject)
		return p, err
	})
	if err == nil {
		err = o.err
	}
	return list, wrap(err)
}

// PortalLoyalty is what the signed-in address holds of loyalty: the points
// of its customers with the newest lines of their ledgers, and their
// coupons that can still be used, the first to expire first.
type PortalLoyalty struct {
	Points  int64
	Ledger  []PointsLine
	Coupons []redress.Coupon
}

// portalLines bounds what the portal shows of a ledger: the newest.
const portalLines = 20

// PortalLoyalty reads the signed-in session's loyalty; an unknown or
// expired session is EUNAUTHORIZED.
func (db *DB) PortalLoyalty(ctx context.Context, sessionHash []byte) (PortalLoyalty, error) {
	var out PortalLoyalty
	var key string
	err := db.pool.QueryRow(ctx, `SELECT email_key FROM portal_sessions WHERE session_hash = $1 AND expires_at > now()`,
		sessionHash).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, redress.Errorf(redress.EUNAUTHORIZED, "sign in again")
	}
	if err != nil {
		return out, wrap(err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(sum(points), 0)::bigint FROM customers
		WHERE email_hash = $1 AND merged_into IS NULL`, key).Scan(&out.Points); err != nil {
		return out, wrap(err)
	}
	rows, err := db.pool.Query(ctx, `SELECT l.at, l.kind, l.points, l.expires_at, l.reference, ''
		FROM points_ledger l JOIN customers cu ON cu.id = l.customer_id
		WHERE cu.email_hash = $1 ORDER BY l.id DESC LIMIT $2`, key, portalLines)
	if err != nil {
		return out, wrap(err)
	}
	if out.Ledger, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (PointsLine, error) {
		var l PointsLine
		err := row.Scan(&l.At, &l.Kind, &l.Points, &l.ExpiresAt, &l.Reference, &l.ComplaintID)
		return l, err
	}); err != nil {
		return out, wrap(err)
	}
	rows, err = db.pool.Query(ctx, `SELECT k.workflow_run_id, k.code, k.percent::float8, k.expires_at
		FROM coupons k JOIN customers cu ON cu.id = k.customer_id
		WHERE cu.email_hash = $1 AND k.redeemed_at IS NULL AND k.expires_at > now() ORDER BY k.expires_at LIMIT 20`, key)
	if err != nil {
		return out, wrap(err)
	}
	o := db.opener(ctx, db.pool)
	out.Coupons, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Coupon, error) {
		var c redress.Coupon
		var run string
		err := row.Scan(&run, &c.Code, &c.Percent, &c.ExpiresAt)
		o.text(place("coupons.code", run), &c.Code)
		return c, err
	})
	if err == nil {
		err = o.err
	}
	return out, wrap(err)
}
