package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// RequestErasure records that the customer id (or the one it was merged
// into) is to be erased, and returns that customer. From here intake no
// longer finds the customer by its external id, e-mail or phone (a new
// complaint makes a new customer), and the portal's sessions for its
// address end. Asking again changes nothing: the first request's time and
// reason stand.
func (db *DB) RequestErasure(ctx context.Context, id, by, reason string) (*redress.Customer, error) {
	var out *redress.Customer
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		c, err := db.lockCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.MergedInto != "" {
			if c, err = db.lockCustomer(ctx, tx, c.MergedInto); err != nil {
				return err
			}
		}
		if c.Erasure == nil {
			if _, err := tx.Exec(ctx, `DELETE FROM portal_sessions WHERE email_key IN
				(SELECT email_hash FROM customers WHERE (id = $1 OR merged_into = $1) AND email_hash IS NOT NULL)`, c.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE customers SET erasure_requested_at = now(), erasure_requested_by = $2,
					erasure_reason = $3, external_id = NULL, email_key = NULL, phone_key = NULL
				WHERE id = $1 OR merged_into = $1`, c.ID, by, reason); err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, redress.AuditLine{Actor: by, Action: redress.AuditErase, Target: "customer:" + c.ID,
				Detail: map[string]any{"phase": "requested", "reason": reason}}); err != nil {
				return err
			}
		}
		out, err = db.readCustomer(ctx, tx, c.ID, "")
		return err
	})
	return out, wrap(err)
}

// ErasureScope is what an erasure reaches: the customer and the customers
// merged into it, and their complaints.
type ErasureScope struct {
	Customers  []string
	Complaints []string
}

// ErasureScope reads what erasing the customer reaches.
func (db *DB) ErasureScope(ctx context.Context, customerID string) (ErasureScope, error) {
	var s ErasureScope
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM customers WHERE id::text = $1 OR merged_into::text = $1 ORDER BY id`, customerID)
	if err != nil {
		return s, wrap(err)
	}
	if s.Customers, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return s, wrap(err)
	}
	if len(s.Customers) == 0 {
		return s, redress.Errorf(redress.ENOTFOUND, "no customer %q", customerID)
	}
	rows, err = db.pool.Query(ctx, `SELECT id::text FROM complaints WHERE customer_id = ANY($1::uuid[]) ORDER BY id`, s.Customers)
	if err != nil {
		return s, wrap(err)
	}
	s.Complaints, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return s, wrap(err)
}

// EraseCustomer destroys the data keys of the customer and of the
// customers merged into it, which makes every sealed copy of their data
// unreadable at once (backups included, once the key-encryption keys that
// wrapped them are rotated away), and scrubs their rows: details, match
// keys, change log values, notes, and the texts of their complaints
// (anonymizeComplaints). The rows stay, so counts and analytics do. It may
// run again: it changes nothing more. Every workflow of the customer must
// have ended first, or it would fail on its own unreadable history.
func (db *DB) EraseCustomer(ctx context.Context, customerID, by string) error {
	scope, err := db.ErasureScope(ctx, customerID)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO customer_keys (customer_id, destroyed_at)
				SELECT id, now() FROM unnest($1::uuid[]) AS id
			ON CONFLICT (customer_id) DO UPDATE SET kek_id = NULL, wrapped = NULL,
				destroyed_at = coalesce(customer_keys.destroyed_at, now())`, scope.Customers); err != nil {
			return err
		}
		for _, stmt := range []string{
			`DELETE FROM portal_sessions WHERE email_key IN (SELECT email_hash FROM customers WHERE id = ANY($1::uuid[]))`,
			`UPDATE customers SET name = '', email = '', phone = '', external_id = NULL, email_key = NULL, phone_key = NULL,
				email_hash = NULL, search_grams = '{}' WHERE id = ANY($1::uuid[])`,
			`UPDATE customer_changes SET fields = '{}' WHERE customer_id = ANY($1::uuid[])`,
			`DELETE FROM customer_notes WHERE customer_id = ANY($1::uuid[])`,
			`UPDATE coupons SET code = '', order_ref = NULL WHERE customer_id = ANY($1::uuid[])`,
			`UPDATE outbox SET data = '{}', last_error = '', delivered_at = coalesce(delivered_at, now())
				WHERE customer_id = ANY($1::uuid[])`,
			erasedDeliveries + `customer_id = ANY($1::uuid[]))`,
		} {
			if _, err := tx.Exec(ctx, stmt, scope.Customers); err != nil {
				return err
			}
		}
		if err := anonymizeComplaints(ctx, tx, scope.Complaints); err != nil {
			return err
		}
		return appendAudit(ctx, tx, redress.AuditLine{Actor: by, Action: redress.AuditErase, Target: "customer:" + customerID,
			Detail: map[string]any{"phase": "keys_destroyed", "customers": len(scope.Customers), "complaints": len(scope.Complaints)}})
	})
	for _, id := range scope.Customers {
		db.vault.forget(id)
	}
	return wrap(err)
}

// anonymizeComplaints scrubs the personal data of complaints and keeps
// what analytics count: subjects, descriptions, the resolution's summary,
// the survey's comment, the timeline's details, the events' data, the
// mails' ids and the idempotency keys go; categories, times, statuses,
// scores and root causes stay. Their files' bytes are the attachment
// store's to delete (AnonymizedFiles), their names go now.
func anonymizeComplaints(ctx context.Context, tx pgx.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	for _, stmt := range []string{
		`UPDATE complaints SET subject = '', description = '', search_grams = '{}',
			survey = jsonb_set(survey, '{comment}', '""'),
			resolution = CASE WHEN resolution IS NULL THEN NULL ELSE jsonb_set(resolution, '{summary}', '""') END,
			followup_note = CASE WHEN followup_note IS NULL THEN NULL ELSE '' END,
			anonymized_at = coalesce(anonymized_at, now())
		WHERE id = ANY($1::uuid[])`,
		`UPDATE timeline SET detail = '' WHERE complaint_id = ANY($1::uuid[]) AND detail <> ''`,
		`UPDATE outbox SET data = '{}', last_error = '', delivered_at = coalesce(delivered_at, now())
			WHERE complaint_id = ANY($1::uuid[])`,
		erasedDeliveries + `complaint_id = ANY($1::uuid[]))`,
		`UPDATE attachments SET filename = '', erased = true WHERE complaint_id = ANY($1::uuid[])`,
		`DELETE FROM inbound_mail WHERE complaint_id = ANY($1::uuid[])`,
		`DELETE FROM idempotency_keys WHERE complaint_id = ANY($1::uuid[])`,
	} {
		if _, err := tx.Exec(ctx, stmt, ids); err != nil {
			return err
		}
	}
	return nil
}

// ErasedFilesLeft counts the files of the customer's complaints that the
// attachment store has yet to delete.
func (db *DB) ErasedFilesLeft(ctx context.Context, customerID string) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM attachments a JOIN complaints c ON c.id = a.complaint_id
		JOIN customers cu ON cu.id = c.customer_id WHERE cu.id::text = $1 OR cu.merged_into::text = $1`, customerID).Scan(&n)
	return n, wrap(err)
}

// FinishErasure records that the customer's erasure is done.
func (db *DB) FinishErasure(ctx context.Context, customerID, by string) error {
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE customers SET erased_at = now()
			WHERE (id::text = $1 OR merged_into::text = $1) AND erased_at IS NULL`, customerID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return appendAudit(ctx, tx, redress.AuditLine{Actor: by, Action: redress.AuditErase, Target: "customer:" + customerID,
			Detail: map[string]any{"phase": "erased"}})
	}))
}

// PendingErasure is an erasure asked and not done, and who asked.
type PendingErasure struct{ CustomerID, By string }

// PendingErasures are erasures asked before the given time and not done:
// requests whose workflow may not have started.
func (db *DB) PendingErasures(ctx context.Context, before time.Time) ([]PendingErasure, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text, coalesce(erasure_requested_by, '') FROM customers
		WHERE erasure_requested_at IS NOT NULL AND erased_at IS NULL AND erasure_requested_at < $1 AND merged_into IS NULL
		ORDER BY erasure_requested_at LIMIT 100`, before)
	if err != nil {
		return nil, wrap(err)
	}
	pending, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PendingErasure, error) {
		var p PendingErasure
		return p, row.Scan(&p.CustomerID, &p.By)
	})
	return pending, wrap(err)
}

// AnonymizedFiles are files of anonymized complaints (an erasure, or
// retention) whose bytes the attachment store has yet to delete.
func (db *DB) AnonymizedFiles(ctx context.Context, limit int) ([]redress.Attachment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE erased ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, wrap(err)
	}
	files, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Attachment, error) { return scanAttachment(row, nil) })
	return files, wrap(err)
}

// ForgetFile removes the row of a file whose bytes are deleted.
func (db *DB) ForgetFile(ctx context.Context, id string) error {
	uid, err := uuid.Parse(id)
	if err != nil {
		return redress.Errorf(redress.ENOTFOUND, "no attachment %q", id)
	}
	_, err = db.pool.Exec(ctx, `DELETE FROM attachments WHERE id = $1`, uid)
	return wrap(err)
}

// ComplaintAnonymized tells whether a complaint's personal data was erased.
func (db *DB) ComplaintAnonymized(ctx context.Context, id string) (bool, error) {
	var done bool
	err := db.pool.QueryRow(ctx, `SELECT anonymized_at IS NOT NULL FROM complaints WHERE id::text = $1`, id).Scan(&done)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, redress.Errorf(redress.ENOTFOUND, "no complaint %q", id)
	}
	return done, wrap(err)
}

// ClearFiles are files stored before encryption at rest, whose bytes the
// attachment store has yet to encrypt.
func (db *DB) ClearFiles(ctx context.Context, limit int) ([]redress.Attachment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments
		WHERE key_owner IS NULL AND NOT erased ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, wrap(err)
	}
	files, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Attachment, error) { return scanAttachment(row, nil) })
	return files, wrap(err)
}

// FileEncrypted records that a file's bytes are now kept encrypted with
// owner's data key under blobKey; false when the row changed meanwhile
// (the file was erased), and the new bytes are the caller's to delete.
func (db *DB) FileEncrypted(ctx context.Context, a redress.Attachment, blobKey, owner string) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE attachments SET blob_key = $3, key_owner = $4
		WHERE id::text = $1 AND blob_key = $2 AND key_owner IS NULL`, a.ID, a.BlobKey, blobKey, owner)
	return tag.RowsAffected() == 1, wrap(err)
}

// erasedDeliveries sets aside the webhook deliveries not yet made of the
// events erased (the statement ends with which): nothing of them goes out,
// and they cannot be redelivered.
const erasedDeliveries = `UPDATE webhook_deliveries SET status = 'failed', lease_token = NULL,
		last_error = 'the event was erased with its customer''s personal data'
	WHERE status = 'pending' AND message_id IN (SELECT id FROM outbox WHERE `
