package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// Message is an outbox event waiting for delivery.
type Message struct {
	redress.Event
	Attempts int
}

// ClaimMessages takes up to limit undelivered messages that are due, and
// leases them for the given time so that other dispatchers skip them.
func (db *DB) ClaimMessages(ctx context.Context, limit int, lease time.Duration) ([]Message, error) {
	rows, err := db.pool.Query(ctx, `UPDATE outbox SET next_attempt_at = now() + $2::interval, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= now()
			ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
		RETURNING id, type, complaint_id, customer_id, occurred_at, data, attempts`, limit, lease)
	if err != nil {
		return nil, wrap(err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) {
		var m Message
		var complaintID, customerID *uuid.UUID
		var data []byte
		if err := row.Scan(&m.ID, &m.Type, &complaintID, &customerID, &m.OccurredAt, &data, &m.Attempts); err != nil {
			return m, err
		}
		if complaintID != nil {
			m.ComplaintID = complaintID.String()
		}
		if customerID != nil {
			m.CustomerID = customerID.String()
		}
		m.OccurredAt = m.OccurredAt.UTC()
		return m, json.Unmarshal(data, &m.Data)
	})
	return msgs, wrap(err)
}

// MarkDelivered records a message's delivery.
func (db *DB) MarkDelivered(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `UPDATE outbox SET delivered_at = now(), last_error = '' WHERE id = $1`, id)
	return wrap(err)
}

// MarkFailed records a failed delivery and when to try again.
func (db *DB) MarkFailed(ctx context.Context, id string, cause error, retryAt time.Time) error {
	_, err := db.pool.Exec(ctx, `UPDATE outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1`,
		id, cause.Error(), retryAt)
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
		return e, json.Unmarshal(data, &e.Data)
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
