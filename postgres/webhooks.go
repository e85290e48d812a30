package postgres

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/crypt"
)

// webhooksKeyName names the key that seals the endpoints' secrets.
const webhooksKeyName = "webhooks"

// WebhookEndpoint is an integrator's endpoint: managed over the API, or
// the environment's REDRESS_WEBHOOK_URL.
type WebhookEndpoint struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	ManagedBy      string     `json:"managed_by"`  // ManagedByAPI or ManagedByEnvironment
	EventTypes     []string   `json:"event_types"` // none: every event
	Enabled        bool       `json:"enabled"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `json:"failing_since,omitempty"`
	PreviousUntil  *time.Time `json:"previous_secret_until,omitempty"` // a rotation's overlap: both secrets sign
	CreatedAt      time.Time  `json:"created_at"`
	CreatedBy      string     `json:"created_by"`
	// Secrets sign the deliveries: the current one, then the previous one
	// during a rotation's overlap. Never answered but once, at creation or
	// rotation.
	Secrets []string `json:"-"`
}

// Who manages an endpoint: admins over the API, or the environment
// (REDRESS_WEBHOOK_URL and REDRESS_WEBHOOK_SECRET, kept by the worker).
const (
	ManagedByAPI         = "api"
	ManagedByEnvironment = "environment"
)

const endpointColumns = `id::text, url, managed_by, event_types, enabled, disabled_reason, failing_since, previous_until, created_at, created_by,
	secret, coalesce(previous_secret, '')`

func (db *DB) scanEndpoint(ctx context.Context, k *crypt.DataKey, row pgx.Row) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	var secret, previous string
	err := row.Scan(&e.ID, &e.URL, &e.ManagedBy, &e.EventTypes, &e.Enabled, &e.DisabledReason, &e.FailingSince, &e.PreviousUntil,
		&e.CreatedAt, &e.CreatedBy, &secret, &previous)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, redress.Errorf(redress.ENOTFOUND, "no webhook endpoint has this id")
	}
	if err != nil {
		return nil, wrap(err)
	}
	e.CreatedAt = e.CreatedAt.UTC()
	current, err := k.Open(place("webhook_endpoints.secret", e.ID), secret)
	if err != nil {
		return nil, err
	}
	e.Secrets = []string{current}
	if previous != "" && e.PreviousUntil != nil && e.PreviousUntil.After(time.Now()) {
		old, err := k.Open(place("webhook_endpoints.previous_secret", e.ID), previous)
		if err != nil {
			return nil, err
		}
		e.Secrets = append(e.Secrets, old)
	}
	return &e, nil
}

// CreateWebhookEndpoint keeps a new endpoint with its secret sealed.
func (db *DB) CreateWebhookEndpoint(ctx context.Context, url string, eventTypes []string, enabled bool, secret, by string) (*WebhookEndpoint, error) {
	k, err := db.systemKey(ctx, db.pool, webhooksKeyName)
	if err != nil {
		return nil, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	if eventTypes == nil {
		eventTypes = []string{}
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO webhook_endpoints (id, url, event_types, enabled, secret, created_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, url, eventTypes, enabled, k.Seal(place("webhook_endpoints.secret", id), secret), by)
	if err != nil {
		return nil, wrap(err)
	}
	return db.WebhookEndpoint(ctx, id)
}

// WebhookEndpoint reads one endpoint.
func (db *DB) WebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, redress.Errorf(redress.ENOTFOUND, "no webhook endpoint has this id")
	}
	k, err := db.systemKey(ctx, db.pool, webhooksKeyName)
	if err != nil {
		return nil, err
	}
	return db.scanEndpoint(ctx, k, db.pool.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1`, uid))
}

// WebhookEndpoints lists the endpoints: the environment's first, then the
// oldest first.
func (db *DB) WebhookEndpoints(ctx context.Context) ([]*WebhookEndpoint, error) {
	k, err := db.systemKey(ctx, db.pool, webhooksKeyName)
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints ORDER BY managed_by = 'environment' DESC, created_at, id`)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var out []*WebhookEndpoint
	for rows.Next() {
		e, err := db.scanEndpoint(ctx, k, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, wrap(rows.Err())
}

// WebhookEdit changes an endpoint: a nil field stays as it is. Enabling
// an endpoint clears its failures.
type WebhookEdit struct {
	URL        *string   `json:"url,omitempty"`
	EventTypes *[]string `json:"event_types,omitempty"`
	Enabled    *bool     `json:"enabled,omitempty"`
}

// ErrEnvironmentManaged refuses to change what the environment says of
// REDRESS_WEBHOOK_URL's endpoint.
var ErrEnvironmentManaged = redress.Errorf(redress.ECONFLICT,
	"this endpoint is REDRESS_WEBHOOK_URL's: its URL, events and secret are the environment's; only enabled can be set here")

// EditWebhookEndpoint applies an edit under the row's lock, so that it
// never writes back what the delivery changed meanwhile (an endpoint
// disabled). Setting enabled either way clears why the endpoint was
// disabled: an admin's choice, after which an endpoint disabled is owed
// nothing. Enabling one that was disabled for failing sends again, in
// order, the deliveries set aside while it failed.
func (db *DB) EditWebhookEndpoint(ctx context.Context, id string, edit WebhookEdit) (*WebhookEndpoint, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, redress.Errorf(redress.ENOTFOUND, "no webhook endpoint has this id")
	}
	var types []string
	if edit.EventTypes != nil {
		types = *edit.EventTypes
		if types == nil {
			types = []string{}
		}
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var managedBy string
		var wasEnabled bool
		var failingSince *time.Time
		err := tx.QueryRow(ctx, `SELECT managed_by, enabled, failing_since FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, uid).
			Scan(&managedBy, &wasEnabled, &failingSince)
		if errors.Is(err, pgx.ErrNoRows) {
			return redress.Errorf(redress.ENOTFOUND, "no webhook endpoint has this id")
		}
		if err != nil {
			return err
		}
		if managedBy == ManagedByEnvironment && (edit.URL != nil || edit.EventTypes != nil) {
			return ErrEnvironmentManaged
		}
		enable := edit.Enabled != nil && *edit.Enabled
		if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET url = coalesce($2, url), event_types = coalesce($3, event_types),
				enabled = coalesce($4, enabled),
				failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END,
				disabled_reason = CASE WHEN $4::boolean IS NOT NULL THEN '' ELSE disabled_reason END
			WHERE id = $1`, uid, edit.URL, types, edit.Enabled, enable); err != nil {
			return err
		}
		if enable && !wasEnabled && failingSince != nil {
			_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, first_failed_at = NULL,
					next_attempt_at = now(), lease_token = NULL
				WHERE endpoint_id = $1 AND status = 'failed' AND first_failed_at >= $2`, uid, *failingSince)
		}
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	return db.WebhookEndpoint(ctx, id)
}

// RotateWebhookSecret gives an endpoint a new secret; the one it had keeps
// signing beside it until overlap has passed. The row is locked, so two
// rotations at once keep the secret before them as the previous one of one
// of them, never lose it.
func (db *DB) RotateWebhookSecret(ctx context.Context, id, secret string, overlap time.Duration) (*WebhookEndpoint, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, redress.Errorf(redress.ENOTFOUND, "no webhook endpoint has this id")
	}
	k, err := db.systemKey(ctx, db.pool, webhooksKeyName)
	if err != nil {
		return nil, err
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		e, err := db.scanEndpoint(ctx, k, tx.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, uid))
		if err != nil {
			return err
		}
		if e.ManagedBy == ManagedByEnvironment {
			return ErrEnvironmentManaged
		}
		_, err = tx.Exec(ctx, `UPDATE webhook_endpoints SET secret = $2, previous_secret = $3,
				previous_until = now() + make_interval(secs => $4)
			WHERE id = $1`, e.ID, k.Seal(place("webhook_endpoints.secret", e.ID), secret),
			k.Seal(place("webhook_endpoints.previous_secret", e.ID), e.Secrets[0]), overlap.Seconds())
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	return db.WebhookEndpoint(ctx, id)
}

// DeleteWebhookEndpoint removes an endpoint and its deliveries; the
// environment's too, which a worker started with REDRESS_WEBHOOK_URL makes
// again.
func (db *DB) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	uid, err := uuid.Parse(id)
	if err != nil {
		return redress.Errorf(redress.ENOTFOUND, "no webhook endpoint has this id")
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, uid)
	if err == nil && tag.RowsAffected() == 0 {
		return redress.Errorf(redress.ENOTFOUND, "no webhook endpoint has this id")
	}
	return wrap(err)
}

// enqueueWebhookDeliveries gives an outbox event, in the transaction that
// writes it, to every endpoint that takes its type and is enabled, or was
// disabled for failing: that one's events wait for it to be enabled again,
// while an endpoint an admin disabled is owed nothing.
func enqueueWebhookDeliveries(ctx context.Context, tx pgx.Tx, e redress.Event) error {
	key := e.ComplaintID
	if key == "" {
		key = e.CustomerID
	}
	if key == "" {
		key = e.ID
	}
	_, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (endpoint_id, message_id, order_key)
		SELECT id, $1, $2 FROM webhook_endpoints WHERE (enabled OR disabled_reason <> '') AND (event_types = '{}' OR $3 = ANY(event_types))
		ON CONFLICT DO NOTHING`, e.ID, key, e.Type)
	return err
}

// WebhookDelivery is one event's delivery to one endpoint.
type WebhookDelivery struct {
	ID           int64      `json:"id"`
	EndpointID   string     `json:"endpoint_id"`
	EventID      string     `json:"event_id"`
	EventType    string     `json:"event_type"`
	Status       string     `json:"status"` // pending, delivered
	Attempts     int        `json:"attempts"`
	ResponseCode *int       `json:"response_code"`
	LatencyMS    *int       `json:"latency_ms"`
	LastError    string     `json:"last_error,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	NextAttempt  *time.Time `json:"next_attempt_at,omitempty"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty"`
	Lease        string     `json:"-"`
}

// WebhookDeliveries are an endpoint's deliveries, the newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, endpointID string, limit int) ([]WebhookDelivery, error) {
	if _, err := db.WebhookEndpoint(ctx, endpointID); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT d.id, d.endpoint_id::text, d.message_id, o.type, d.status, d.attempts, d.response_code,
			d.latency_ms, d.last_error, d.created_at, CASE WHEN d.status = 'pending' THEN d.next_attempt_at END, d.delivered_at
		FROM webhook_deliveries d JOIN outbox o ON o.id = d.message_id
		WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2`, endpointID, limit)
	if err != nil {
		return nil, wrap(err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (WebhookDelivery, error) {
		var d WebhookDelivery
		err := row.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Status, &d.Attempts, &d.ResponseCode, &d.LatencyMS,
			&d.LastError, &d.CreatedAt, &d.NextAttempt, &d.DeliveredAt)
		d.CreatedAt = d.CreatedAt.UTC()
		return d, err
	})
	return list, wrap(err)
}

// Redeliver sends a delivery again, as soon as the ones before it for the
// same complaint are delivered, with its backoff started afresh. One being
// sent right now is ECONFLICT; one whose event was erased is EGONE.
func (db *DB) Redeliver(ctx context.Context, endpointID string, deliveryID int64) error {
	var leased, erased bool
	err := db.pool.QueryRow(ctx, `SELECT d.lease_token IS NOT NULL AND d.next_attempt_at > now(), o.data = '{}'::jsonb AND d.status <> 'pending'
		FROM webhook_deliveries d JOIN outbox o ON o.id = d.message_id WHERE d.endpoint_id::text = $1 AND d.id = $2`,
		endpointID, deliveryID).Scan(&leased, &erased)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return redress.Errorf(redress.ENOTFOUND, "the endpoint has no delivery %d", deliveryID)
	case err != nil:
		return wrap(err)
	case leased:
		return redress.Errorf(redress.ECONFLICT, "delivery %d is being sent right now", deliveryID)
	case erased:
		return redress.Errorf(redress.EGONE, "the event of delivery %d was erased with its customer's personal data", deliveryID)
	}
	_, err = db.pool.Exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), attempts = 0,
		first_failed_at = NULL, lease_token = NULL WHERE endpoint_id::text = $1 AND id = $2`, endpointID, deliveryID)
	return wrap(err)
}

// ClaimWebhookDelivery takes the delivery that has been due longest whose
// endpoint is enabled and that no earlier delivery of the same complaint
// to the same endpoint waits before, and leases it.
func (db *DB) ClaimWebhookDelivery(ctx context.Context, lease time.Duration) (*WebhookDelivery, error) {
	var d WebhookDelivery
	err := db.pool.QueryRow(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1,
			next_attempt_at = now() + $1::interval, lease_token = $2
		WHERE id = (SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.enabled
				AND NOT EXISTS (SELECT FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id
					AND p.order_key = d.order_key AND p.status = 'pending' AND p.id < d.id)
			ORDER BY d.next_attempt_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED)
		RETURNING id, endpoint_id::text, message_id, attempts, lease_token`, lease, uuid.NewString()).
		Scan(&d.ID, &d.EndpointID, &d.EventID, &d.Attempts, &d.Lease)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return &d, wrap(err)
}

// OutboxEvent reads one outbox event, its data opened.
func (db *DB) OutboxEvent(ctx context.Context, id string) (redress.Event, error) {
	var e redress.Event
	var complaintID, customerID *uuid.UUID
	var data []byte
	err := db.pool.QueryRow(ctx, `SELECT id, type, complaint_id, customer_id, occurred_at, data FROM outbox WHERE id = $1`, id).
		Scan(&e.ID, &e.Type, &complaintID, &customerID, &e.OccurredAt, &data)
	if err != nil {
		return e, wrap(err)
	}
	if complaintID != nil {
		e.ComplaintID = complaintID.String()
	}
	if customerID != nil {
		e.CustomerID = customerID.String()
	}
	e.OccurredAt = e.OccurredAt.UTC()
	return e, db.openJSON(ctx, db.pool, place("outbox.data", e.ID), data, &e.Data)
}

// WebhookAttempt is what one send of a delivery came to.
type WebhookAttempt struct {
	ResponseCode int // 0 when no answer came
	Latency      time.Duration
	Err          error     // nil: delivered
	RetryAt      time.Time // when a failed delivery is tried again
}

// RecordWebhookAttempt records a send under the caller's lease, and the
// endpoint's health: a success clears its failures; a failure starts them
// and, once they have lasted disableAfter, disables the endpoint, tells
// the integrators' other endpoints and the audit log, and reports it.
func (db *DB) RecordWebhookAttempt(ctx context.Context, d *WebhookDelivery, a WebhookAttempt, disableAfter time.Duration) (disabled bool, err error) {
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var code *int
		if a.ResponseCode != 0 {
			code = &a.ResponseCode
		}
		latency := int(a.Latency.Milliseconds())
		if a.Err == nil {
			tag, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), response_code = $3,
				latency_ms = $4, last_error = '', lease_token = NULL WHERE id = $1 AND lease_token = $2`, d.ID, d.Lease, code, latency)
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1`, d.EndpointID)
			return err
		}
		// A delivery that has failed for as long as an endpoint may is set
		// aside, so that one event a receiver always refuses does not hold
		// up the complaint's others; redelivery tries it again.
		tag, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $3, response_code = $4, latency_ms = $5,
				last_error = $6, lease_token = NULL, first_failed_at = coalesce(first_failed_at, now()),
				status = CASE WHEN first_failed_at < now() - make_interval(secs => $7) THEN 'failed' ELSE 'pending' END
			WHERE id = $1 AND lease_token = $2`, d.ID, d.Lease, a.RetryAt, code, latency, a.Err.Error(), disableAfter.Seconds())
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		var since time.Time
		var rawURL string
		if err := tx.QueryRow(ctx, `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now())
			WHERE id = $1 RETURNING failing_since, url`, d.EndpointID).Scan(&since, &rawURL); err != nil {
			return err
		}
		host := rawURL // what others are told of it: the host, never a path or query that may hold a token
		if u, err := url.Parse(rawURL); err == nil {
			host = u.Host
		}
		if time.Since(since) < disableAfter {
			return nil
		}
		reason := "every delivery failed since " + since.UTC().Format(time.RFC3339) + "; the last: " + a.Err.Error()
		tag, err = tx.Exec(ctx, `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2 WHERE id = $1 AND enabled`,
			d.EndpointID, reason)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		disabled = true
		if err := appendAudit(ctx, tx, redress.AuditLine{Actor: redress.BySystem, Action: redress.AuditWebhookDisabled,
			Target: "webhook:" + d.EndpointID, Detail: map[string]any{"host": host, "failing_since": since.UTC().Format(time.RFC3339)}}); err != nil {
			return err
		}
		return db.insertEvents(ctx, tx, []redress.Event{{ID: "webhook-" + d.EndpointID + "-disabled-" + time.Now().UTC().Format("20060102T150405"),
			Type: redress.EventWebhookDisabled, OccurredAt: time.Now().UTC(),
			Data: map[string]any{"endpoint": d.EndpointID, "host": host, "failing_since": since.UTC().Format(time.RFC3339)}}})
	})
	return disabled, wrap(err)
}
