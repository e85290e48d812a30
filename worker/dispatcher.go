package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// Sender delivers one event to its audience. Delivery is at least once:
// receivers deduplicate by the event's id.
type Sender interface {
	Send(ctx context.Context, e redress.Event) error
}

// LogSender "delivers" events to the log: the dev default.
type LogSender struct{ Logger *slog.Logger }

// Send logs the event.
func (s LogSender) Send(_ context.Context, e redress.Event) error {
	s.Logger.Info("notification", "id", e.ID, "type", e.Type, "complaint", e.ComplaintID, "data", e.Data)
	return nil
}

// Dispatcher drains the outbox into a Sender, retrying failures with
// backoff. Several dispatchers may run at once: each message is leased.
type Dispatcher struct {
	DB     *postgres.DB
	Sender Sender
	Logger *slog.Logger
}

const (
	dispatchBatch = 50
	dispatchLease = time.Minute // a message whose dispatcher died is retried after this
	pollInterval  = 500 * time.Millisecond
)

// Run dispatches until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := d.dispatchOnce(ctx)
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

func (d *Dispatcher) dispatchOnce(ctx context.Context) (int, error) {
	msgs, err := d.DB.ClaimMessages(ctx, dispatchBatch, dispatchLease)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if err := d.Sender.Send(ctx, m.Event); err != nil {
			backoff := min(time.Duration(1<<min(m.Attempts, 10))*time.Second, time.Hour)
			if ferr := d.DB.MarkFailed(ctx, m.ID, err, time.Now().Add(backoff)); ferr != nil {
				return 0, ferr
			}
			continue
		}
		if err := d.DB.MarkDelivered(ctx, m.ID); err != nil {
			return 0, err
		}
	}
	return len(msgs), nil
}
