// Package notify delivers the outbox: every event to every configured
// channel (signed webhooks for integrators, e-mail for customers, or the log
// in development), at least once, each deduplicable by the event's id.
package notify

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// Sender delivers one event on one channel.
type Sender interface {
	Send(ctx context.Context, e redress.Event) error
}

// Channel is a named way out.
type Channel struct {
	Name   string
	Sender Sender
}

// Dispatcher drains the outbox into its channels, retrying failures with
// backoff. Several dispatchers may run at once: each message is leased.
// A channel that already has a message is never sent it again; a crash
// between a send and its record resends once, which receivers absorb by
// the event id.
type Dispatcher struct {
	DB       *postgres.DB
	Channels []Channel
	Logger   *slog.Logger
}

const (
	dispatchBatch = 50
	dispatchLease = time.Minute // a message whose dispatcher died is retried after this
	pollInterval  = 500 * time.Millisecond
)

// Run dispatches until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := d.DispatchOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.Logger.Warn("outbox", "error", err)
		}
		if n == dispatchBatch {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollInterval):
		}
	}
}

// DispatchOnce sends one batch of due messages and reports how many it took.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	msgs, err := d.DB.ClaimMessages(ctx, dispatchBatch, dispatchLease)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if err := d.deliver(ctx, m); err != nil {
			return 0, err
		}
	}
	return len(msgs), nil
}

func (d *Dispatcher) deliver(ctx context.Context, m postgres.Message) error {
	done, err := d.DB.DeliveredChannels(ctx, m.ID)
	if err != nil {
		return err
	}
	var failure error
	for _, ch := range d.Channels {
		if slices.Contains(done, ch.Name) {
			continue
		}
		if err := ch.Sender.Send(ctx, m.Event); err != nil {
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
		return d.DB.MarkFailed(ctx, m.ID, failure, time.Now().Add(backoff))
	}
	return d.DB.MarkDelivered(ctx, m.ID)
}

// LogSender "delivers" events to the log: the development default.
type LogSender struct{ Logger *slog.Logger }

// Send logs the event.
func (s LogSender) Send(_ context.Context, e redress.Event) error {
	s.Logger.Info("notification", "id", e.ID, "type", e.Type, "complaint", e.ComplaintID, "data", e.Data)
	return nil
}
