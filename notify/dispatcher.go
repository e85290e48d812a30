// Package notify delivers events at least once, each deduplicable by its
// id: the outbox's dispatcher to its channels (e-mail for customers, or the
// log in development), and Endpoints to the integrators' webhook
// endpoints, each in order per complaint.
package notify

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
)

// Sender delivers one event on one channel. Send returns by ctx's deadline:
// the dispatcher's lease on the message counts on it.
type Sender interface {
	Send(ctx context.Context, e redress.Event) error
}

// Channel is a named way out.
type Channel struct {
	Name   string
	Sender Sender
}

// Dispatcher drains the outbox into its channels, retrying failures with
// backoff. Several dispatchers may run at once (one per worker): each takes
// one message at a time under a lease and renews the lease before every
// send, sending only while it still holds it, so no two of them send a
// message on the same channel; a dead dispatcher's message is taken over
// when its lease ends. A channel that already has a message is never sent
// it again; a crash between a send and its record resends once, which
// receivers absorb by the event id.
type Dispatcher struct {
	DB       *postgres.DB
	Channels []Channel
	Logger   *slog.Logger
	// SendTimeout bounds one send on one channel; zero means
	// defaultSendTimeout. The lease on a message follows from it.
	SendTimeout time.Duration
	// Links derives the customers' links that events carry (see
	// withLinks); none are added when it is nil.
	Links *tokens.Signer
}

const (
	// defaultSendTimeout lets every sender run to its own timeout.
	defaultSendTimeout = max(webhookTimeout, smtpTimeout)
	pollInterval       = 500 * time.Millisecond
)

func (d *Dispatcher) sendTimeout() time.Duration {
	if d.SendTimeout > 0 {
		return d.SendTimeout
	}
	return defaultSendTimeout
}

// lease is how long one renewal holds a message: the send it was renewed
// for, and as long again for the database round trips around that send
// (the renewal before, the record after). A live dispatcher thus finishes
// each send well inside its lease, and a dead one's message waits at most
// this long to be taken over.
func (d *Dispatcher) lease() time.Duration { return 2 * d.sendTimeout() }

// Run dispatches until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) { poll(ctx, d.Logger, "outbox", d.DispatchOnce) }

// poll runs step until ctx ends: again at once after a step that found
// work, else after pollInterval.
func poll(ctx context.Context, logger *slog.Logger, what string, step func(context.Context) (bool, error)) {
	for ctx.Err() == nil {
		took, err := step(ctx)
		if err != nil && ctx.Err() == nil {
			logger.Warn(what, "error", err)
		}
		if took && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollInterval):
		}
	}
}

// DispatchOnce delivers the message that has been due longest, if any, and
// reports whether there was one.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (bool, error) {
	m, err := d.DB.ClaimMessage(ctx, d.lease())
	if err != nil || m == nil {
		return false, err
	}
	return true, d.deliver(ctx, m)
}

func (d *Dispatcher) deliver(ctx context.Context, m *postgres.Message) error {
	done, err := d.DB.DeliveredChannels(ctx, m.ID)
	if err != nil {
		return err
	}
	var failure error
	justClaimed := true // the claim gave a full lease a moment ago
	for _, ch := range d.Channels {
		if slices.Contains(done, ch.Name) {
			continue
		}
		if !justClaimed {
			held, err := d.DB.RenewLease(ctx, m, d.lease())
			if err != nil {
				return err
			}
			if !held {
				d.Logger.Warn("outbox lease ran out; another dispatcher has the message", "event", m.ID)
				return nil
			}
		}
		justClaimed = false
		if err := d.send(ctx, ch, withLinks(m.Event, d.Links)); err != nil {
			d.Logger.Warn("delivery failed", "channel", ch.Name, "event", m.ID, "attempt", m.Attempts, "error", err)
			failure = err
			continue
		}
		if err := d.DB.MarkChannelDelivered(ctx, m.ID, ch.Name); err != nil {
			return err
		}
	}
	if failure != nil {
		backoff := min(time.Duration(1<<min(m.Attempts, 12))*time.Second, time.Hour)
		return d.DB.MarkFailed(ctx, m, failure, time.Now().Add(backoff))
	}
	return d.DB.MarkDelivered(ctx, m)
}

func (d *Dispatcher) send(ctx context.Context, ch Channel, e redress.Event) error {
	ctx, cancel := context.WithTimeout(ctx, d.sendTimeout())
	defer cancel()
	return ch.Sender.Send(ctx, e)
}

// LogSender "delivers" events to the log when no webhook and no mail is set. A
// customer's link is a credential, so the log shows links only when
// ShowLinks is set: in the dev stack, on the developer's own machine.
type LogSender struct {
	Logger    *slog.Logger
	ShowLinks bool
}

// Send logs the event.
func (s LogSender) Send(_ context.Context, e redress.Event) error {
	if !s.ShowLinks {
		e = withoutLinks(e)
	}
	s.Logger.Info("notification", "id", e.ID, "type", e.Type, "complaint", e.ComplaintID, "data", e.Data)
	return nil
}
