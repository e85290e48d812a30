package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/workflows"
)

// RepairReport is what one repair pass found and did.
type RepairReport struct {
	Checked  int      // open complaints whose workflow must be running
	Orphans  []string // of them, those whose workflow was not running
	Restarts int      // successors started (none in a dry run)
	// FirstEngine are the open complaints found running the first
	// deadline engine; Moved, those moved to the current one.
	FirstEngine []string
	Moved       int
}

// repairPage is how many complaints a repair pass reads at a time.
const repairPage = 500

// Repair finds the open complaints whose workflow no longer runs (it was
// terminated, cancelled, reset away, or is gone from Temporal) and, unless
// dryRun, starts a successor for each from what PostgreSQL stored, under a
// new run of the same workflow id, with its deadlines intact; then it
// moves those still on the first deadline engine to the current one.
// Complaints never started are the sweep's (sweepUnstarted), not repair's.
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
			break
		}
		after = ids[len(ids)-1]
	}
	var err error
	report.FirstEngine, report.Moved, err = MoveFirstEngine(ctx, c, db, policy, dryRun, firstEngineSettled, logger)
	return report, err
}

// firstEngineSettled is how long after its start a run counts as on the
// first engine when it has not recorded the current one: a run just started
// records it only with its first workflow task. (A current run moved in
// error, its workers down that long, loses nothing: it restarts from what
// PostgreSQL stored.)
const firstEngineSettled = time.Minute

// MoveFirstEngine moves the open complaints whose workflow, started more
// than settled ago, still runs the first deadline engine (which froze on
// two coincident deadlines) to the current one: it ends the run and starts
// a successor from PostgreSQL, as for an orphan. A crash between the two
// leaves an orphan, which the next pass restarts. Complaints past their
// resolution finish on the first engine, as they began. It returns the
// complaints found, and how many it moved (none in a dry run).
func MoveFirstEngine(ctx context.Context, c client.Client, db *postgres.DB, policy redress.Policy, dryRun bool,
	settled time.Duration, logger *slog.Logger) (found []string, moved int, err error) {
	runs, err := firstEngineRuns(ctx, c, time.Now().Add(-settled))
	if err != nil {
		return nil, 0, err
	}
	for _, run := range runs {
		id := strings.TrimPrefix(run.GetWorkflowId(), redress.ComplaintWorkflowID(""))
		complaint, err := db.Complaint(ctx, id)
		if redress.ErrorCode(err) == redress.ENOTFOUND || err == nil && !slices.Contains(redress.OpenStatuses, complaint.Status) {
			continue
		}
		if err != nil {
			return found, moved, err
		}
		found = append(found, id)
		if dryRun {
			continue
		}
		err = c.TerminateWorkflow(ctx, run.GetWorkflowId(), run.GetRunId(), "moved to the current deadline engine")
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			continue // it ended meanwhile; an orphan is the next pass's
		}
		if err != nil {
			return found, moved, err
		}
		if _, err := startSuccessor(ctx, c, db, policy, id); err != nil {
			return found, moved, err
		}
		moved++
		logger.Info("moved a complaint from the first deadline engine to the current one", "complaint", id)
	}
	return found, moved, nil
}

// firstEngineRuns are the running complaint workflows started before
// settled that have not recorded the current engine.
func firstEngineRuns(ctx context.Context, c client.Client, settled time.Time) ([]*commonpb.WorkflowExecution, error) {
	query := fmt.Sprintf("WorkflowType = 'Complaint' AND ExecutionStatus = 'Running' AND StartTime < '%s'",
		settled.UTC().Format(time.RFC3339Nano))
	var runs []*commonpb.WorkflowExecution
	var page []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: repairPage, NextPageToken: page})
		if err != nil {
			return nil, err
		}
		for _, e := range resp.GetExecutions() {
			var versions []string
			if p := e.GetSearchAttributes().GetIndexedFields()[changeVersionAttribute]; p != nil {
				if err := converter.GetDefaultDataConverter().FromPayload(p, &versions); err != nil {
					return nil, fmt.Errorf("the change versions of %s: %w", e.GetExecution().GetWorkflowId(), err)
				}
			}
			if !workflows.OnCurrentEngine(versions) {
				runs = append(runs, e.GetExecution())
			}
		}
		if page = resp.GetNextPageToken(); len(page) == 0 {
			return runs, nil
		}
	}
}

// changeVersionAttribute is the search attribute in which the SDK records
// each run's workflow.GetVersion choices.
const changeVersionAttribute = "TemporalChangeVersion"

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
