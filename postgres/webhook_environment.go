package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// environmentRotationOverlap is how long the secret the environment had
// keeps signing after REDRESS_WEBHOOK_SECRET changed: a day for the
// receiver to switch, as an API rotation by default.
const environmentRotationOverlap = "24 hours"

// SyncEnvironmentWebhook makes the endpoint of REDRESS_WEBHOOK_URL what the
// environment says: made when first set, with the events the outbox had not
// yet delivered on its former webhook channel carried over to it; its URL
// and secret changed when they did (a new URL enables it again, a new
// secret keeps the old one signing for a day). Unset, the variable changes
// nothing. The workers call it as they start, before
// their dispatchers send anything (notify.KeepEnvironmentWebhook).
func (db *DB) SyncEnvironmentWebhook(ctx context.Context, url, secret string) (*WebhookEndpoint, error) {
	k, err := db.systemKey(ctx, db.pool, webhooksKeyName)
	if err != nil {
		return nil, err
	}
	var id string
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// One worker at a time: the row may not exist yet to be locked.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('redress.environment_webhook'))`); err != nil {
			return err
		}
		current, err := db.scanEndpoint(ctx, k, tx.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
			WHERE managed_by = 'environment'`))
		switch {
		case err != nil && redress.ErrorCode(err) != redress.ENOTFOUND:
			return err
		case url == "":
			// A worker without the variable leaves the endpoint alone: it may
			// be one misconfigured worker among others, and the endpoint's
			// log is worth keeping. An admin removes it over the API.
			return nil
		case current == nil:
			// Until this commits, no event is written: one whose transaction
			// read the endpoints before the row existed, and committed after
			// the carry-over read the outbox, would reach neither.
			if _, err := tx.Exec(ctx, `LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
			id = uuid.Must(uuid.NewV7()).String()
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_endpoints (id, url, managed_by, secret, created_by)
				VALUES ($1, $2, 'environment', $3, 'environment')`, id, url, k.Seal(place("webhook_endpoints.secret", id), secret)); err != nil {
				return err
			}
			return carryOverWebhookChannel(ctx, tx, id)
		}
		id = current.ID
		if current.URL != url {
			if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET url = $2, enabled = true, failing_since = NULL,
				disabled_reason = '' WHERE id = $1`, id, url); err != nil {
				return err
			}
		}
		if current.Secrets[0] != secret {
			_, err = tx.Exec(ctx, `UPDATE webhook_endpoints SET secret = $2, previous_secret = $3,
					previous_until = now() + $4::interval WHERE id = $1`, id, k.Seal(place("webhook_endpoints.secret", id), secret),
				k.Seal(place("webhook_endpoints.previous_secret", id), current.Secrets[0]), environmentRotationOverlap)
		}
		return err
	})
	if err != nil || id == "" {
		return nil, wrap(err)
	}
	return db.WebhookEndpoint(ctx, id)
}

// carryOverWebhookChannel gives the environment's new endpoint the events
// the outbox's former webhook channel had not yet delivered, in the order
// they were written.
func carryOverWebhookChannel(ctx context.Context, tx pgx.Tx, endpointID string) error {
	_, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (endpoint_id, message_id, order_key)
		SELECT $1, o.id, coalesce(o.complaint_id::text, o.customer_id::text, o.id)
		FROM outbox o
		WHERE o.delivered_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = o.id AND d.channel = 'webhook')
		ORDER BY o.occurred_at, o.id
		ON CONFLICT DO NOTHING`, endpointID)
	return err
}
