package worker

import (
	"context"
	"time"

	"github.com/redress-dev/redress/postgres"
)

// sealOlderRows runs the sealing job once at start: personal data written
// before encryption at rest is sealed, and data keys wrapped by a key that
// is no longer the first of REDRESS_DATA_KEYS are re-wrapped (a rotation
// is finished by starting the workers with the new key first). A failed
// pass is tried again a minute later.
func (w *Worker) sealOlderRows(ctx context.Context) {
	for {
		last := time.Now()
		report, err := w.db.SealOlderRows(ctx, func(r postgres.SealReport) {
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				w.logger.Info("sealing personal data written before encryption at rest", "progress", r.String())
			}
		})
		if err == nil {
			if report.Total() > 0 {
				w.logger.Info("personal data sealed and data keys wrapped by the current key", "done", report.String())
			}
			return
		}
		if ctx.Err() != nil {
			return
		}
		w.logger.Warn("sealing older personal data; trying again in a minute", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
	}
}
