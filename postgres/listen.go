package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// complaintChanged is the channel the migrations' triggers notify on every
// write to a complaint or its timeline.
const complaintChanged = "complaint_changed"

// ListenComplaintChanges calls changed with the id of every complaint
// written, by any process, until ctx ends. It holds a connection of its own
// and reconnects when it is lost; changes made while it was away are missed,
// so it calls changed("") after a reconnection for listeners to catch up.
func (db *DB) ListenComplaintChanges(ctx context.Context, logger *slog.Logger, changed func(id string)) {
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			changed("")
		}
		err := db.listen(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		logger.Warn("listening for complaint changes failed; retrying", "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (db *DB) listen(ctx context.Context, changed func(id string)) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+complaintChanged); err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		changed(n.Payload)
	}
}
