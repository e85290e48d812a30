package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// InboundMail is a customer's mail that joined a complaint.
type InboundMail struct {
	Key         string // the mail's idempotency key
	MessageID   string
	ComplaintID string
	Kind        string // complaint, reply or reopen
}

// Kinds of inbound mail.
const (
	MailComplaint = "complaint"
	MailReply     = "reply"
	MailReopen    = "reopen"
)

// InboundMailSeen is the mail stored under key, if any.
func (db *DB) InboundMailSeen(ctx context.Context, key string) (*InboundMail, error) {
	m := InboundMail{Key: key}
	var complaintID uuid.UUID
	err := db.pool.QueryRow(ctx, `SELECT message_id, complaint_id, kind FROM inbound_mail WHERE mail_key = $1`, key).
		Scan(&m.MessageID, &complaintID, &m.Kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	m.ComplaintID = complaintID.String()
	return &m, nil
}

// RecordInboundMail stores that a mail joined its complaint; a mail stored
// before stays as it was.
func (db *DB) RecordInboundMail(ctx context.Context, m InboundMail) error {
	return wrap(recordInboundMail(ctx, db.pool, m))
}

// execer is what a pool and a transaction share for writes.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func recordInboundMail(ctx context.Context, q execer, m InboundMail) error {
	_, err := q.Exec(ctx, `INSERT INTO inbound_mail (mail_key, message_id, complaint_id, kind)
		VALUES ($1, $2, $3, $4) ON CONFLICT (mail_key) DO NOTHING`, m.Key, m.MessageID, m.ComplaintID, m.Kind)
	return err
}

// maxThreadReferences bounds the References of Redress's mail: a long
// exchange names its first and latest mails, as mail clients do.
const maxThreadReferences = 10

// CustomerMessageIDs are the Message-IDs of the customer's mails on the
// complaint, oldest first: the first one and the latest ones.
func (db *DB) CustomerMessageIDs(ctx context.Context, complaintID string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT message_id FROM (
			(SELECT message_id, received_at FROM inbound_mail WHERE complaint_id = $1 AND message_id <> ''
				ORDER BY received_at LIMIT 1)
			UNION
			(SELECT message_id, received_at FROM inbound_mail WHERE complaint_id = $1 AND message_id <> ''
				ORDER BY received_at DESC LIMIT $2)) thread
		ORDER BY received_at`, complaintID, maxThreadReferences-1)
	if err != nil {
		return nil, wrap(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap(err)
}

// ComplaintOfCustomerMail is the complaint on which the sender's own mail,
// one of messageIDs, was taken, the latest when several; "" when none.
func (db *DB) ComplaintOfCustomerMail(ctx context.Context, messageIDs []string, sender string) (string, error) {
	ix, err := db.indexKey(ctx, db.pool)
	if err != nil {
		return "", err
	}
	var id uuid.UUID
	err = db.pool.QueryRow(ctx, `SELECT m.complaint_id FROM inbound_mail m
			JOIN complaints c ON c.id = m.complaint_id JOIN customers cu ON cu.id = c.customer_id
		WHERE m.message_id = ANY($1) AND m.message_id <> '' AND cu.email_key = ANY($2)
		ORDER BY m.received_at DESC LIMIT 1`, messageIDs, emailKeys(ix, sender)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", wrap(err)
	}
	return id.String(), nil
}
