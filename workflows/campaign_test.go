package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

func campaignHarness(t *testing.T) (*harness, *[]workflows.WinbackInput) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	h.store.risks = []redress.ChurnRisk{
		{CustomerID: "a", Tier: redress.TierGold, Score: 12},
		{CustomerID: "b", Tier: redress.TierStandard, Score: 7},
		{CustomerID: "c", Tier: redress.TierSilver, Score: 3},
	}
	var started []workflows.WinbackInput
	h.env.OnWorkflow("Winback", mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in workflows.WinbackInput) (redress.Winback, error) {
			started = append(started, in)
			return redress.Winback{}, nil
		})
	return h, &started
}

func TestCampaignStartsWinbacksForTheRiskiest(t *testing.T) {
	h, started := campaignHarness(t)
	h.env.ExecuteWorkflow(workflows.Campaign, workflows.CampaignInput{Limit: 2, Policy: redress.DefaultPolicy().Winback})
	var p workflows.CampaignProgress
	if err := h.env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	if p.Status != workflows.CampaignDone || p.Total != 2 || p.Started != 2 || p.Processed != 2 || p.DryRun {
		t.Errorf("progress = %+v", p)
	}
	got := map[string]redress.Tier{} // the children start at once, in no set order
	for _, in := range *started {
		got[in.CustomerID] = in.Tier
		if in.ComplaintID != "" {
			t.Errorf("a campaign's win-back names a complaint: %+v", in)
		}
	}
	if len(got) != 2 || got["a"] != redress.TierGold || got["b"] != redress.TierStandard {
		t.Errorf("win-backs started = %+v", *started)
	}
	if p.Candidates[0].Outcome != workflows.OutcomeStarted || p.Candidates[0].Score != 12 {
		t.Errorf("candidates = %+v", p.Candidates)
	}
}

func TestCampaignDryRunStartsNothing(t *testing.T) {
	h, started := campaignHarness(t)
	h.env.ExecuteWorkflow(workflows.Campaign, workflows.CampaignInput{DryRun: true, Limit: 10, Policy: redress.DefaultPolicy().Winback})
	var p workflows.CampaignProgress
	if err := h.env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	if len(*started) != 0 || p.Total != 3 || p.Started != 0 || !p.DryRun || p.Candidates[2].Outcome != workflows.OutcomeWouldStart {
		t.Errorf("dry run: %+v, started %v", p, *started)
	}
}
