package worker

import (
	"context"
	"errors"
	"time"

	"github.com/redress-dev/redress/postgres"
)

// analyticsRecheck is how long the worker waits before it looks again at
// rollups it could not build, or that another process was building.
const analyticsRecheck = time.Minute

// keepAnalyticsBuilt builds the analytics rollups for the policy's basis
// when they are missing: on a new database, after a migration, or when the
// policy's time zone or repeat window changed. Until they are ready the
// analytics are computed from the raw rows, so the figures are right, only
// slower. Of several workers, one builds; the others look again later, in
// case it stopped.
func (w *Worker) keepAnalyticsBuilt(ctx context.Context) {
	basis := postgres.BasisOf(w.policy)
	for {
		ready, err := w.db.AnalyticsReady(ctx, basis)
		if err == nil && !ready {
			err = w.buildAnalytics(ctx, basis)
			ready = err == nil
		}
		switch {
		case ctx.Err() != nil || ready:
			return
		case errors.Is(err, postgres.ErrRebuildRunning):
			w.logger.Info("another process is building the analytics rollups")
		case err != nil:
			w.logger.Warn("building the analytics rollups; analytics read the raw rows meanwhile", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(analyticsRecheck):
		}
	}
}

func (w *Worker) buildAnalytics(ctx context.Context, basis postgres.Basis) error {
	w.logger.Info("building the analytics rollups", "zone", basis.Zone.String(), "repeat_within", basis.RepeatWithin)
	last := time.Now()
	err := w.db.RebuildAnalytics(ctx, basis, false, func(p postgres.RebuildProgress) {
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			w.logger.Info("building the analytics rollups", "progress", p.String())
		}
	})
	if err == nil {
		w.logger.Info("analytics rollups ready")
	}
	return err
}
