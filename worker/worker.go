package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/workflows"
)

// Worker runs the complaint workflows and the background loops that keep
// the outside world in step with them.
type Worker struct {
	temporal   sdkworker.Worker
	client     client.Client
	db         *postgres.DB
	policy     redress.Policy
	dispatcher *notify.Dispatcher
	logger     *slog.Logger
	// orphans counts the open complaints the last repair pass found
	// without a running workflow and could not start again.
	orphans prometheus.Gauge
	// endpoints delivers to the webhook endpoints, the environment's and
	// those added over the API.
	endpoints *notify.Endpoints
}

// StopTimeout is how long a stopping worker lets its running activities
// finish: the longest, a campaign's scoring, may take 2 minutes. The
// Kubernetes manifests give the pod a longer grace period (150 s).
const StopTimeout = 2*time.Minute + 10*time.Second

// SetWorkflowCache sets how many workflows the workers of this process keep
// in memory between their tasks (the SDK's sticky cache, one per process).
// A complaint evicted from it replays its history on its next task: memory
// traded for CPU. It must be called before New.
func SetWorkflowCache(size int) { sdkworker.SetStickyWorkflowCacheSize(size) }

// New builds a worker on the complaints task queue; reg, when set, gets its
// gauge of complaints without a running workflow.
func New(c client.Client, db *postgres.DB, signer *tokens.Signer, policy redress.Policy, channels []notify.Channel,
	endpoints *notify.Endpoints, reg prometheus.Registerer, logger *slog.Logger) *Worker {
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{WorkerStopTimeout: StopTimeout})
	Register(w, &activities.Activities{Store: db, Tokens: signer, Erasures: db, Retention: db, Workflows: c,
		Loyalty: db, Signals: c})
	orphans := prometheus.NewGauge(prometheus.GaugeOpts{Name: "redress_complaints_without_workflow",
		Help: "Open complaints whose workflow the worker's last repair pass found not running and could not start again."})
	if reg != nil {
		reg.MustRegister(orphans)
	}
	return &Worker{temporal: w, client: c, db: db, policy: policy, logger: logger, orphans: orphans,
		dispatcher: &notify.Dispatcher{DB: db, Channels: channels, Logger: logger, Links: signer}, endpoints: endpoints}
}

// Run works until ctx ends, then stops the worker.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.temporal.Start(); err != nil {
		return err
	}
	defer w.temporal.Stop()
	go w.dispatcher.Run(ctx)
	go w.endpoints.Run(ctx)
	go w.keepAnalyticsBuilt(ctx)
	go w.keepRepairing(ctx)
	go w.sealOlderRows(ctx)
	w.sweepUnstarted(ctx)
	return nil
}

// starterGrace is how old an unstarted complaint must be before the sweep
// starts it: younger ones are still in their intake request.
const starterGrace = 10 * time.Second

// sweepUnstarted starts the workflow of every complaint that intake stored
// but did not get to start (a crash or Temporal outage in between), so no
// complaint is ever left without its clocks.
func (w *Worker) sweepUnstarted(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		if err := w.startUnstarted(ctx); err != nil && ctx.Err() == nil {
			w.logger.Warn("starting unstarted complaints", "error", err)
		}
		if err := w.startErasures(ctx); err != nil && ctx.Err() == nil {
			w.logger.Warn("starting requested erasures", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// startErasures starts the workflow of every erasure asked for a while ago
// and not done: one whose request was cut off before it started it.
// Starting one that runs is a no-op.
func (w *Worker) startErasures(ctx context.Context) error {
	pending, err := w.db.PendingErasures(ctx, time.Now().Add(-time.Minute))
	if err != nil {
		return err
	}
	for _, p := range pending {
		if err := workflows.StartErasure(ctx, w.client, activities.ErasureInput{CustomerID: p.CustomerID, By: p.By}); err != nil {
			return err
		}
	}
	return nil
}

func (w *Worker) startUnstarted(ctx context.Context) error {
	pending, err := w.db.UnstartedComplaints(ctx, time.Now().Add(-starterGrace), 100)
	if err != nil {
		return err
	}
	for i := range pending {
		c := &pending[i]
		cu, err := w.db.Customer(ctx, c.CustomerID)
		if err != nil {
			return err
		}
		// A complaint keeps the policy it was filed under, not the worker's.
		stored, err := w.db.StoredPolicy(ctx, c.ID)
		if err != nil {
			return err
		}
		policy, err := workflows.StoredPolicy(stored, w.policy)
		if err != nil {
			return err
		}
		if err := workflows.StartComplaint(ctx, w.client, workflows.NewComplaintInput(c, cu.Tier, policy)); err != nil {
			return err
		}
		if err := w.db.MarkWorkflowStarted(ctx, c.ID); err != nil {
			return err
		}
		w.logger.Info("started the workflow of a complaint that intake left unstarted", "complaint", c.ID)
	}
	return nil
}
