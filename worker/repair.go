package worker

import (
	"context"
	"errors"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/workflows"
)

// RepairReport is what one repair pass found and did.
type RepairReport struct {
	Checked  int      // open complaints whose workflow must be running
	Orphans  []string // of them, those whose workflow was not running
	Restarts int      // successors started (none in a dry run)
}

// repairPage is how many complaints a repair pass reads at a time.
const repairPage = 500

// Repair finds the open complaints whose workflow no longer runs (it was
// terminated, cancelled, reset away, or is gone from Temporal) and, unless
// dryRun, starts a successor for each from what PostgreSQL stored, under a
// new run of the same workflow id, with its deadlines intact. Complaints
// never started are the sweep's (sweepUnstarted), not repair's.
func Repair(ctx context.Context, c client.Client, db *postgres.DB, policy redress.Policy, dryRun bool, logger *slog.Logger) (RepairReport, error) {
	var report RepairReport
	after := ""
	for {
		ids, err := db.OpenStartedComplaints(ctx, after, repairPage)
		if err != nil {
			return report, err
		}
		for _, id := range ids {
			report.Checked++
			running, err := workflowRuns(ctx, c, id)
			if err != nil {
				return report, err
			}
			if running {
				continue
			}
			report.Orphans = append(report.Orphans, id)
			if dryRun {
				continue
			}
			started, err := startSuccessor(ctx, c, db, policy, id)
			if err != nil {
				return report, err
			}
			if started {
				report.Restarts++
				logger.Warn("started a successor for a complaint whose workflow no longer ran", "complaint", id)
			}
		}
		if len(ids) < repairPage {
			return report, nil
		}
		after = ids[len(ids)-1]
	}
}

// workflowRuns reports whether the complaint's latest workflow run is
// running.
func workflowRuns(ctx context.Context, c client.Client, complaintID string) (bool, error) {
	d, err := c.DescribeWorkflowExecution(ctx, redress.ComplaintWorkflowID(complaintID), "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

func startSuccessor(ctx context.Context, c client.Client, db *postgres.DB, fallback redress.Policy, id string) (bool, error) {
	run, err := db.StoredRun(ctx, id)
	if err != nil {
		return false, err
	}
	cu, err := db.Customer(ctx, run.Complaint.CustomerID)
	if err != nil {
		return false, err
	}
	policy, err := workflows.StoredPolicy(run.Policy, fallback)
	if err != nil {
		return false, err
	}
	in, err := workflows.SuccessorInput(run.Complaint, cu.Tier, policy, run.Bookkeeping, run.Seq)
	if err != nil {
		return false, err
	}
	return workflows.StartSuccessor(ctx, c, in)
}

// repairEvery is how often the worker looks for complaints without a
// running workflow: a complaint terminated by hand waits at most this long.
const repairEvery = 10 * time.Minute

// keepRepairing runs Repair every repairEvery and reports the complaints
// it found without a workflow in the gauge.
func (w *Worker) keepRepairing(ctx context.Context) {
	tick := time.NewTicker(repairEvery)
	defer tick.Stop()
	for {
		report, err := Repair(ctx, w.client, w.db, w.policy, false, w.logger)
		if err != nil && ctx.Err() == nil {
			w.logger.Warn("repairing complaints without a workflow", "error", err)
		} else if err == nil {
			w.orphans.Set(float64(len(report.Orphans) - report.Restarts))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
