package notify

import (
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

// Channels builds the configured channels: a webhook and e-mail when set,
// the log when neither is.
func Channels(o ChannelOptions, db *postgres.DB, signer *tokens.Signer, logger *slog.Logger) ([]Channel, error) {
	var channels []Channel
	if o.WebhookURL != "" {
		if len(o.WebhookSecret) < 16 {
			return nil, fmt.Errorf("REDRESS_WEBHOOK_SECRET must be at least 16 characters when REDRESS_WEBHOOK_URL is set")
		}
		hook, err := NewWebhook(o.WebhookURL, o.WebhookSecret)
		if err != nil {
			return nil, err
		}
		channels = append(channels, Channel{Name: "webhook", Sender: hook})
	}
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
	if len(channels) == 0 {
		channels = append(channels, Channel{Name: "log", Sender: LogSender{Logger: logger, ShowLinks: o.LogLinks}})
	}
	return channels, nil
}

// NewEndpoints builds the delivery of the managed webhook endpoints.
func NewEndpoints(o ChannelOptions, db *postgres.DB, signer *tokens.Signer, logger *slog.Logger) *Endpoints {
	return &Endpoints{DB: db, Links: signer, Logger: logger, AllowPrivate: o.AllowPrivateWebhooks, Senders: 4}
}
