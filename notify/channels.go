package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redress-dev/redress"

	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
)

// ChannelOptions are the delivery settings.
type ChannelOptions struct {
	SMTPURL       string // REDRESS_SMTP_URL
	WebhookURL    string // REDRESS_WEBHOOK_URL
	WebhookSecret string // REDRESS_WEBHOOK_SECRET
	InboundDomain string // REDRESS_INBOUND_DOMAIN
	Timezone      string // the policy's: the zone of the times mail gives
	// LogLinks lets the log show the customers' links: the dev stack's,
	// on the developer's own machine.
	LogLinks bool
	// AllowPrivateWebhooks lets managed webhook endpoints be on loopback
	// and private addresses, over plain http: the dev stack's.
	AllowPrivateWebhooks bool
}

// Channels builds the outbox's channels: e-mail when set; the log only
// when neither mail nor REDRESS_WEBHOOK_URL is set (the dev stack), since
// it writes what customers said to the process's output. Webhooks, the
// environment's included, are endpoints (NewEndpoints).
func Channels(o ChannelOptions, db *postgres.DB, signer *tokens.Signer, logger *slog.Logger) ([]Channel, error) {
	var channels []Channel
	if o.SMTPURL != "" {
		email, err := NewEmail(o.SMTPURL, o.InboundDomain, db, signer)
		if err != nil {
			return nil, err
		}
		if email.zone, err = redress.LoadZone(o.Timezone); err != nil {
			email.zone = time.UTC
		}
		channels = append(channels, Channel{Name: "email", Sender: email})
	}
	if len(channels) == 0 && o.WebhookURL == "" {
		channels = append(channels, Channel{Name: "log", Sender: LogSender{Logger: logger, ShowLinks: o.LogLinks}})
	}
	return channels, nil
}

// NewEndpoints builds the delivery of the webhook endpoints, the
// environment's (KeepEnvironmentWebhook) and those added over the API.
func NewEndpoints(o ChannelOptions, db *postgres.DB, signer *tokens.Signer, logger *slog.Logger) *Endpoints {
	return &Endpoints{DB: db, Links: signer, Logger: logger, AllowPrivate: o.AllowPrivateWebhooks, Senders: 4,
		EnvironmentURL: o.WebhookURL}
}

// KeepEnvironmentWebhook makes REDRESS_WEBHOOK_URL's endpoint what the
// settings say (postgres.SyncEnvironmentWebhook). The workers call it as
// they start, before their dispatchers send anything: the events written
// before the endpoint was made are still undelivered then, and carried
// over to it.
func KeepEnvironmentWebhook(ctx context.Context, o ChannelOptions, db *postgres.DB) error {
	if o.WebhookURL != "" {
		if len(o.WebhookSecret) < 16 {
			return fmt.Errorf("REDRESS_WEBHOOK_SECRET must be at least 16 characters when REDRESS_WEBHOOK_URL is set")
		}
		if err := checkEnvironmentURL(o.WebhookURL); err != nil {
			return err
		}
	}
	_, err := db.SyncEnvironmentWebhook(ctx, o.WebhookURL, o.WebhookSecret)
	return err
}
