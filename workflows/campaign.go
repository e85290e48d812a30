package workflows

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
)

// CampaignProgressQuery returns a retention campaign's progress.
const CampaignProgressQuery = "progress"

// CampaignScheduleID is the Schedule that runs the retention campaign.
const CampaignScheduleID = "retention-campaign"

// CampaignWorkflowID names a campaign started by hand.
func CampaignWorkflowID(id string) string { return "campaign-" + id }

// CampaignInput is one retention campaign.
type CampaignInput struct {
	DryRun bool                  `json:"dry_run"`
	Limit  int                   `json:"limit"`
	Policy redress.WinbackPolicy `json:"policy"`
	// Progress is where a run that continued as new picks up; nil in a
	// campaign's first run.
	Progress *CampaignProgress `json:"progress,omitempty"`
}

// campaignBatch is how many win-backs a campaign starts together before it
// waits for them to have started.
const campaignBatch = 500

// campaignChildrenPerRun bounds the win-backs one run of a campaign starts.
// The server counts a started child as pending until it closes, abandoned
// or not, and a win-back runs for winback.within; it refuses a run more
// than 2,000 pending children (limit.numPendingChildExecutions). So a run
// that has started this many continues as new, whose count starts afresh.
const campaignChildrenPerRun = 1500

// campaignBatchesChange versions the batches: campaigns recorded before
// them started every win-back at once.
const campaignBatchesChange = "campaign-batches"

// Campaign statuses and candidates' outcomes.
const (
	CampaignScoring  = "scoring"
	CampaignStarting = "starting"
	CampaignDone     = "done"

	OutcomeStarted        = "started"
	OutcomeAlreadyRunning = "already_running"
	OutcomeWouldStart     = "would_start" // in a dry run
)

// CampaignCandidate is one customer the campaign chose, and what came of it.
type CampaignCandidate struct {
	CustomerID string       `json:"customer_id"`
	Tier       redress.Tier `json:"tier"`
	Score      int          `json:"score"`
	Outcome    string       `json:"outcome,omitempty"`
}

// CampaignProgress is a campaign's state while it runs and its result.
type CampaignProgress struct {
	Status     string              `json:"status"`
	DryRun     bool                `json:"dry_run"`
	Total      int                 `json:"total"`
	Processed  int                 `json:"processed"`
	Started    int                 `json:"started"`
	Skipped    int                 `json:"skipped"`
	Candidates []CampaignCandidate `json:"candidates"`
}

// Campaign scores customers for churn and starts win-backs for the
// riskiest who have none running; a dry run only says whom it would choose.
// Customers whose last win-back finished within winback.within are left
// alone. A large campaign continues as new between batches, and every run
// answers the progress query for the whole campaign.
func Campaign(ctx workflow.Context, in CampaignInput) (CampaignProgress, error) {
	wf := &campaign{in: in, p: CampaignProgress{Status: CampaignScoring, DryRun: in.DryRun, Candidates: []CampaignCandidate{}}}
	if in.Progress != nil {
		wf.p = *in.Progress
	}
	if err := workflow.SetQueryHandler(ctx, CampaignProgressQuery, func() (CampaignProgress, error) { return wf.p, nil }); err != nil {
		return wf.p, err
	}
	if in.Progress == nil {
		if err := wf.score(ctx); err != nil {
			return wf.p, err
		}
	}
	if in.DryRun {
		for i := range wf.p.Candidates {
			wf.p.Candidates[i].Outcome = OutcomeWouldStart
		}
		wf.p.Processed, wf.p.Status = wf.p.Total, CampaignDone
		return wf.p, wf.record(ctx)
	}
	if _, err := wf.startWinbacks(ctx); err != nil {
		return wf.p, err // a continue-as-new, or a failure
	}
	return wf.p, wf.record(ctx)
}

// campaignResultsChange is where a finished campaign began to keep its
// result in PostgreSQL.
const campaignResultsChange = "campaign-results"

// record keeps the finished campaign's result past Temporal's retention.
func (wf *campaign) record(ctx workflow.Context) error {
	if workflow.GetVersion(ctx, campaignResultsChange, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	result, _ := json.Marshal(wf.p) // plain data: it cannot fail
	id := strings.TrimPrefix(workflow.GetInfo(ctx).WorkflowExecution.ID, CampaignWorkflowID(""))
	return projectAfterSaving(ctx, nil, activities.RecordCampaignName, id, wf.in.DryRun, json.RawMessage(result))
}

type campaign struct {
	in CampaignInput
	p  CampaignProgress
}

func (wf *campaign) score(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		// Retried through an outage of PostgreSQL for as long as the day a
		// scheduled campaign is for lasts: a minute apart, a day of tries.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts: 24 * 60},
	})
	var risks []CampaignCandidate
	if err := workflow.ExecuteActivity(actx, activities.RiskiestCustomersName, wf.in.Limit, wf.in.Policy.Within.D()).Get(ctx, &risks); err != nil {
		return err
	}
	wf.p.Candidates, wf.p.Total, wf.p.Status = risks, len(risks), CampaignStarting
	return nil
}

// startWinbacks starts the win-backs of the candidates not yet processed, a
// batch at a time, and continues as new once this run holds as many as it
// may, or when Temporal suggests it.
func (wf *campaign) startWinbacks(ctx workflow.Context) (CampaignProgress, error) {
	batch, perRun := campaignBatch, campaignChildrenPerRun
	if workflow.GetVersion(ctx, campaignBatchesChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		batch, perRun = wf.p.Total, wf.p.Total
	}
	processedHere, startedHere := 0, 0
	for wf.p.Processed < wf.p.Total {
		if processedHere > 0 && (startedHere+batch > perRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested()) {
			next := wf.in
			next.Progress = &wf.p
			return wf.p, workflow.NewContinueAsNewError(ctx, "Campaign", next)
		}
		from := wf.p.Processed
		started, err := wf.startBatch(ctx, wf.p.Candidates[from:min(from+batch, wf.p.Total)])
		if err != nil {
			return wf.p, err
		}
		processedHere, startedHere = processedHere+wf.p.Processed-from, startedHere+started
	}
	wf.p.Status = CampaignDone
	return wf.p, nil
}

// startBatch starts the candidates' win-backs together, then waits until
// each has started or been refused (its customer has one running), and
// counts it; it returns how many started. It does not wait for them to
// finish: they outlive the campaign.
func (wf *campaign) startBatch(ctx workflow.Context, batch []CampaignCandidate) (int, error) {
	children := make([]workflow.ChildWorkflowFuture, len(batch))
	for i, c := range batch {
		children[i] = workflow.ExecuteChildWorkflow(winbackChild(ctx, c.CustomerID), "Winback", WinbackInput{CustomerID: c.CustomerID,
			Tier: c.Tier, Reason: "retention campaign: churn score " + strconv.Itoa(c.Score), Policy: wf.in.Policy})
	}
	started := 0
	for i, child := range children {
		err := child.GetChildWorkflowExecution().Get(ctx, nil)
		var running *temporal.ChildWorkflowExecutionAlreadyStartedError
		switch {
		case errors.As(err, &running):
			batch[i].Outcome = OutcomeAlreadyRunning
			wf.p.Skipped++
		case err != nil:
			return started, err
		default:
			batch[i].Outcome = OutcomeStarted
			wf.p.Started++
			started++
		}
		wf.p.Processed++
	}
	return started, nil
}
