package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// Message is an outbox event waiting for delivery, under the lease of the
// dispatcher that claimed it.
type Message struct {
	redress.Event
	Attempts int
	Lease    string // this claim's token; the store's writes about the message check it
}

// ClaimMessage takes the undelivered message that has been due longest and
// leases it for the given time, so that other dispatchers skip it until the
// lease ends. It returns nil when no message is due.
func (db *DB) ClaimMessage(ctx context.Context, lease time.Duration) (*Message, error) {
	rows, err := db.pool.Query(ctx, `UPDATE outbox
		SET next_attempt_at = now() + $1::interval, attempts = attempts + 1, lease_token = $2
		WHERE id = (SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= now()
			ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING id, type, complaint_id, customer_id, occurred_at, data, attempts, lease_token`, lease, uuid.NewString())
	if err != nil {
		return nil, wrap(err)
	}
	m, err := pgx.CollectOneRow(rows, func(row pgx.CollectableRow) (*Message, error) {
		m := &Message{}
		var complaintID, customerID *uuid.UUID
		var data []byte
		if err := row.Scan(&m.ID, &m.Type, &complaintID, &customerID, &m.OccurredAt, &data, &m.Attempts, &m.Lease); err != nil {
			return nil, err
		}
		if complaintID != nil {
			m.ComplaintID = complaintID.String()
		}
		if customerID != nil {
			m.CustomerID = customerID.String()
		}
		m.OccurredAt = m.OccurredAt.UTC()
		return m, db.openJSON(ctx, db.pool, place("outbox.data", m.ID), data, &m.Data)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return m, wrap(err)
}

// RenewLease extends a message's lease to the given time from now, and
// reports false when the lease is no longer the caller's: the message was
// taken over by another dispatcher after the lease ran out, or is delivered.
func (db *DB) RenewLease(ctx context.Context, m *Message, lease time.Duration) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET next_attempt_at = now() + $3::interval
		WHERE id = $1 AND lease_token = $2 AND delivered_at IS NULL`, m.ID, m.Lease, lease)
	return tag.RowsAffected() == 1, wrap(err)
}

// MarkDelivered records a message's delivery, if the caller still holds
// its lease.
func (db *DB) MarkDelivered(ctx context.Context, m *Message) error {
	_, err := db.pool.Exec(ctx, `UPDATE outbox SET delivered_at = now(), last_error = '', lease_token = NULL
		WHERE id = $1 AND lease_token = $2`, m.ID, m.Lease)
	return wrap(err)
}

// MarkFailed records a failed delivery and when to try again, if the caller
// still holds the message's lease.
func (db *DB) MarkFailed(ctx context.Context, m *Message, cause error, retryAt time.Time) error {
	_, err := db.pool.Exec(ctx, `UPDATE outbox SET last_error = $3, next_attempt_at = $4, lease_token = NULL
		WHERE id = $1 AND lease_token = $2`, m.ID, m.Lease, cause.Error(), retryAt)
	return wrap(err)
}

// Events returns a complaint's outbox events in the order they occurred.
func (db *DB) Events(ctx context.Context, complaintID string) ([]redress.Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, type, occurred_at, data FROM outbox
		WHERE complaint_id = $1 ORDER BY occurred_at, id`, complaintID)
	if err != nil {
		return nil, wrap(err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Event, error) {
		e := redress.Event{ComplaintID: complaintID}
		var data []byte
		if err := row.Scan(&e.ID, &e.Type, &e.OccurredAt, &data); err != nil {
			return e, wrap(err)
		}
		e.OccurredAt = e.OccurredAt.UTC()
		return e, db.openJSON(ctx, db.pool, place("outbox.data", e.ID), data, &e.Data)
	})
}

// DeliveredChannels lists the channels that already have a message.
func (db *DB) DeliveredChannels(ctx context.Context, id string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT channel FROM deliveries WHERE message_id = $1`, id)
	if err != nil {
		return nil, wrap(err)
	}
	channels, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return channels, wrap(err)
}

// MarkChannelDelivered records that a channel has a message.
func (db *DB) MarkChannelDelivered(ctx context.Context, id, channel string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO deliveries (message_id, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, channel)
	return wrap(err)
}
