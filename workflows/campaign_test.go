package workflows_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

// campaignRun runs campaigns in the time-skipping environment and counts the
// win-backs they start, per customer, across runs.
type campaignRun struct {
	t       *testing.T
	risks   []redress.ChurnRisk
	mu      sync.Mutex
	started map[string]int
	inputs  []workflows.WinbackInput
}

func newCampaignRun(t *testing.T, risks ...redress.ChurnRisk) *campaignRun {
	return &campaignRun{t: t, risks: risks, started: map[string]int{}}
}

// manyRisks makes n customers at risk, riskiest first.
func manyRisks(n int) []redress.ChurnRisk {
	risks := make([]redress.ChurnRisk, n)
	for i := range risks {
		risks[i] = redress.ChurnRisk{CustomerID: fmt.Sprintf("u%05d", i), Tier: redress.TierSilver, Score: 20 - i/100}
	}
	return risks
}

// env builds one run's environment; onChild, when set, is called as each
// win-back starts, with how many have started in this run.
func (r *campaignRun) env(onChild func(h *harness, n int)) *harness {
	h := newHarness(r.t, redress.P3, redress.DefaultPolicy())
	h.store.risks = r.risks
	n := 0
	h.env.OnWorkflow("Winback", mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in workflows.WinbackInput) (redress.Winback, error) {
			r.mu.Lock()
			r.started[in.CustomerID]++
			r.inputs = append(r.inputs, in)
			r.mu.Unlock()
			return redress.Winback{}, nil
		})
	h.env.SetOnChildWorkflowStartedListener(func(*workflow.Info, workflow.Context, converter.EncodedValues) {
		n++
		if onChild != nil {
			onChild(h, n)
		}
	})
	return h
}

// progress queries a running campaign; it may be called from workflow code,
// where a test must not stop, so a failed query gives the zero progress.
func (h *harness) progress() workflows.CampaignProgress {
	var p workflows.CampaignProgress
	v, err := h.env.QueryWorkflow(workflows.CampaignProgressQuery)
	if err == nil {
		err = v.Get(&p)
	}
	if err != nil {
		h.t.Errorf("progress query: %v", err)
	}
	return p
}

// continued returns the input of the run a workflow continued as new with.
func continued[In any](t *testing.T, h *harness) In {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the run ended with %v, want it to continue as new", err)
	}
	var next In
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	return next
}

func campaignInput(limit int) workflows.CampaignInput {
	return workflows.CampaignInput{Limit: limit, Policy: redress.DefaultPolicy().Winback}
}

func TestCampaignStartsWinbacksForTheRiskiest(t *testing.T) {
	r := newCampaignRun(t, redress.ChurnRisk{CustomerID: "a", Tier: redress.TierGold, Score: 12},
		redress.ChurnRisk{CustomerID: "b", Tier: redress.TierStandard, Score: 7},
		redress.ChurnRisk{CustomerID: "c", Tier: redress.TierSilver, Score: 3})
	h := r.env(nil)
	h.env.ExecuteWorkflow(workflows.Campaign, campaignInput(2))
	var p workflows.CampaignProgress
	if err := h.env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	if p.Status != workflows.CampaignDone || p.Total != 2 || p.Started != 2 || p.Processed != 2 || p.DryRun {
		t.Errorf("progress = %+v", p)
	}
	got := map[string]redress.Tier{} // the children start at once, in no set order
	for _, in := range r.inputs {
		got[in.CustomerID] = in.Tier
		if in.ComplaintID != "" {
			t.Errorf("a campaign's win-back names a complaint: %+v", in)
		}
	}
	if len(got) != 2 || got["a"] != redress.TierGold || got["b"] != redress.TierStandard {
		t.Errorf("win-backs started = %+v", r.inputs)
	}
	if p.Candidates[0].Outcome != workflows.OutcomeStarted || p.Candidates[0].Score != 12 {
		t.Errorf("candidates = %+v", p.Candidates)
	}
	if want := redress.DefaultPolicy().Winback.Within.D(); h.store.coolDown != want {
		t.Errorf("scored with a cool-down of %s, want winback.within (%s)", h.store.coolDown, want)
	}
}

func TestCampaignDryRunStartsNothing(t *testing.T) {
	r := newCampaignRun(t, manyRisks(3)...)
	h := r.env(nil)
	in := campaignInput(10)
	in.DryRun = true
	h.env.ExecuteWorkflow(workflows.Campaign, in)
	var p workflows.CampaignProgress
	if err := h.env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	if len(r.inputs) != 0 || p.Total != 3 || p.Started != 0 || p.Processed != 3 || !p.DryRun || p.Candidates[2].Outcome != workflows.OutcomeWouldStart {
		t.Errorf("dry run: %+v, started %v", p, r.inputs)
	}
}

// checkEveryoneStartedOnce checks the campaign's result: each candidate's
// win-back started exactly once.
func (r *campaignRun) checkEveryoneStartedOnce(p workflows.CampaignProgress) {
	r.t.Helper()
	n := len(r.risks)
	if p.Status != workflows.CampaignDone || p.Total != n || p.Processed != n || p.Started != n || p.Skipped != 0 {
		r.t.Errorf("result: status %s, total %d, processed %d, started %d, skipped %d", p.Status, p.Total, p.Processed, p.Started, p.Skipped)
	}
	for i, c := range p.Candidates {
		if c.CustomerID != r.risks[i].CustomerID || c.Outcome != workflows.OutcomeStarted {
			r.t.Fatalf("candidate %d = %+v", i, c)
		}
	}
	if len(r.started) != n {
		r.t.Errorf("win-backs started for %d customers, want %d", len(r.started), n)
	}
	for cu, times := range r.started {
		if times != 1 {
			r.t.Errorf("%s: %d win-backs", cu, times)
		}
	}
}

// A campaign larger than a batch starts the next batch only once the last
// one's win-backs have all started, and tells its progress in between.
func TestCampaignStartsWinbacksInBatches(t *testing.T) {
	r := newCampaignRun(t, manyRisks(1200)...)
	var mid workflows.CampaignProgress
	inFlight := 0 // the most win-backs started and not yet counted by the campaign
	h := r.env(func(h *harness, n int) {
		p := h.progress()
		inFlight = max(inFlight, n-p.Processed)
		if n == 1001 {
			mid = p
		}
	})
	h.env.ExecuteWorkflow(workflows.Campaign, campaignInput(5000))
	var p workflows.CampaignProgress
	if err := h.env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	r.checkEveryoneStartedOnce(p)
	if inFlight > 500 {
		t.Errorf("%d win-backs were starting at once, more than a batch", inFlight)
	}
	if mid.Status != workflows.CampaignStarting || mid.Total != 1200 || mid.Processed != 1000 || mid.Started != 1000 ||
		mid.Candidates[999].Outcome != workflows.OutcomeStarted || mid.Candidates[1000].Outcome != "" {
		t.Errorf("progress as the third batch starts: status %s, total %d, processed %d, started %d",
			mid.Status, mid.Total, mid.Processed, mid.Started)
	}
}

// A run holds at most 1,500 win-backs, which stay pending children of it for
// their 30 days, under the server's limit of 2,000: a campaign of more goes
// on in a new run, which answers the progress query for the whole campaign.
func TestCampaignContinuesAsNewBeforeTooManyChildren(t *testing.T) {
	r := newCampaignRun(t, manyRisks(1600)...)
	first := r.env(nil)
	first.env.ExecuteWorkflow(workflows.Campaign, campaignInput(10000))
	next := continued[workflows.CampaignInput](t, first)
	if len(r.inputs) != 1500 || next.Progress == nil || next.Progress.Processed != 1500 || next.Progress.Total != 1600 {
		t.Fatalf("the first run started %d win-backs and handed on %+v", len(r.inputs), next.Progress)
	}

	second := r.env(func(h *harness, n int) {
		if p := h.progress(); n == 1 && (p.Total != 1600 || p.Processed != 1500 || p.Started != 1500) {
			t.Errorf("the second run's progress: total %d, processed %d, started %d", p.Total, p.Processed, p.Started)
		}
	})
	second.store.risks = nil // a continued run must not score again
	second.env.ExecuteWorkflow(workflows.Campaign, next)
	var p workflows.CampaignProgress
	if err := second.env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	r.checkEveryoneStartedOnce(p)
}

// When the server suggests it (the history grows long), a campaign
// continues as new after the batch it is in.
func TestCampaignContinuesAsNewWhenSuggested(t *testing.T) {
	r := newCampaignRun(t, manyRisks(600)...)
	first := r.env(nil)
	first.env.SetContinueAsNewSuggested(true)
	first.env.ExecuteWorkflow(workflows.Campaign, campaignInput(600))
	next := continued[workflows.CampaignInput](t, first)
	if len(r.inputs) != 500 || next.Progress.Processed != 500 {
		t.Fatalf("the first run started %d win-backs and handed on %d processed", len(r.inputs), next.Progress.Processed)
	}
	second := r.env(nil)
	second.env.ExecuteWorkflow(workflows.Campaign, next)
	var p workflows.CampaignProgress
	if err := second.env.GetWorkflowResult(&p); err != nil {
		t.Fatal(err)
	}
	r.checkEveryoneStartedOnce(p)
}

// A campaign outlasts a database outage of a quarter of an hour: its
// scoring is retried as every write is (it gave up after ten attempts), and
// its result is kept in PostgreSQL once it finishes.
func TestCampaignSurvivesADatabaseOutageAndKeepsItsResult(t *testing.T) {
	r := newCampaignRun(t, manyRisks(2)...)
	h := r.env(nil)
	h.store.scoringFails = 20 // a minute apart at most: over a quarter of an hour
	h.env.ExecuteWorkflow(workflows.Campaign, campaignInput(5))
	var p workflows.CampaignProgress
	if err := h.env.GetWorkflowResult(&p); err != nil {
		t.Fatalf("the campaign failed: %v", err)
	}
	if p.Status != workflows.CampaignDone || p.Started != 2 {
		t.Errorf("progress = %+v", p)
	}
	if len(h.store.campaigns) != 1 || h.store.campaigns[0].dryRun {
		t.Fatalf("recorded %+v, want the campaign's result once", h.store.campaigns)
	}
	var kept workflows.CampaignProgress
	if err := json.Unmarshal(h.store.campaigns[0].result, &kept); err != nil || kept.Started != 2 || kept.Status != workflows.CampaignDone {
		t.Errorf("kept %s (%v)", h.store.campaigns[0].result, err)
	}
}
