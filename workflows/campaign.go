package workflows

import (
	"errors"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
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
}

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

// Campaign scores customers for churn risk and starts win-backs for the
// riskiest who have none running and none finished within winback.within;
// a dry run only says whom it would choose.
func Campaign(ctx workflow.Context, in CampaignInput) (CampaignProgress, error) {
	p := CampaignProgress{Status: CampaignScoring, DryRun: in.DryRun, Candidates: []CampaignCandidate{}}
	if err := workflow.SetQueryHandler(ctx, CampaignProgressQuery, func() (CampaignProgress, error) { return p, nil }); err != nil {
		return p, err
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute, MaximumAttempts: 10},
	})
	var risks []CampaignCandidate
	if err := workflow.ExecuteActivity(actx, activities.RiskiestCustomersName, in.Limit, in.Policy.Within.D()).Get(ctx, &risks); err != nil {
		return p, err
	}
	p.Candidates, p.Total, p.Status = risks, len(risks), CampaignStarting

	// Start every win-back at once, then collect: one per customer, so a
	// customer whose win-back already runs is skipped by Temporal itself.
	children := make([]workflow.ChildWorkflowFuture, len(risks))
	for i, r := range risks {
		if in.DryRun {
			continue
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            redress.WinbackWorkflowID(r.CustomerID),
			TaskQueue:             TaskQueue,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		})
		children[i] = workflow.ExecuteChildWorkflow(cctx, "Winback", WinbackInput{CustomerID: r.CustomerID, Tier: r.Tier,
			Reason: "retention campaign: churn score " + strconv.Itoa(r.Score), Policy: in.Policy})
	}
	for i := range p.Candidates {
		c := &p.Candidates[i]
		if in.DryRun {
			c.Outcome = OutcomeWouldStart
		} else {
			err := children[i].GetChildWorkflowExecution().Get(ctx, nil)
			var running *temporal.ChildWorkflowExecutionAlreadyStartedError
			switch {
			case errors.As(err, &running):
				c.Outcome = OutcomeAlreadyRunning
				p.Skipped++
			case err != nil:
				return p, err
			default:
				c.Outcome = OutcomeStarted
				p.Started++
			}
		}
		p.Processed++
	}
	p.Status = CampaignDone
	return p, nil
}
