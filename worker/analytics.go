package worker

import (
	"context"
	"errors"
	"time"

	"github.com/redress-dev/redress/postgres"
)

// keepAnalyticsBuilt builds the analytics rollups for the policy's basis
// when they are missing: on a new database, after a migration, or when the
// policy's time zone or repeat window changed. Until they are ready the
// analytics are computed from the raw rows, so the figures are right, only
// slower. Of several workers, one builds; the others find the lock taken.
func (w *Worker) keepAnalyticsBuilt(ctx context.Context) {
	basis := postgres.BasisOf(w.policy)
	ready, err := w.db.AnalyticsReady(ctx, basis)
	if err != nil || ready {
		if err != nil && ctx.Err() == nil {
			w.logger.Warn("checking the analytics rollups", "error", err)
		}
		return
	}
	w.logger.Info("building the analytics rollups", "zone", basis.Zone.String(), "repeat_within", basis.RepeatWithin)
	last := time.Now()
	err = w.db.RebuildAnalytics(ctx, basis, false, func(p postgres.RebuildProgress) {
		if time.Since(last) > 10*time.Second || p.DaysDone == p.Days {
			last = time.Now()
			w.logger.Info("building the analytics rollups", "days", p.DaysDone, "of", p.Days, "complaints", p.Complaints)
		}
	})
	switch {
	case errors.Is(err, postgres.ErrRebuildRunning):
		w.logger.Info("another process is building the analytics rollups")
	case err != nil && ctx.Err() == nil:
		w.logger.Warn("building the analytics rollups; analytics read the raw rows meanwhile", "error", err)
	case err == nil:
		w.logger.Info("analytics rollups ready")
	}
}
