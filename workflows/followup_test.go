package workflows_test

import (
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

func followUpPolicy() redress.Policy {
	p := redress.DefaultPolicy()
	p.FollowUp = redress.FollowUpPolicy{After: redress.Duration(72 * time.Hour), Tiers: []redress.Tier{redress.TierGold}}
	return p
}

// A gold customer's resolved complaint keeps its workflow until the
// follow-up falls due, 72 hours after the resolution, and then tells the
// account team, even though the survey was answered long before.
func TestFollowUpFallsDueAfterTheResolution(t *testing.T) {
	h := newHarnessAt(t, start, redress.P3, redress.TierGold, followUpPolicy())
	h.expectWinback()
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	resolved := h.stateAt(90 * time.Minute)
	h.update(2*time.Hour, workflows.ConfirmUpdate, nil)
	h.update(3*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 5})
	h.run()
	want := start.Add(73 * time.Hour)
	if resolved.FollowUpDueAt == nil || !resolved.FollowUpDueAt.Equal(want) {
		t.Fatalf("after the resolution the follow-up is due at %v, want %s", resolved.FollowUpDueAt, want)
	}
	due := h.store.events(redress.EventFollowUpDue)
	if len(due) != 1 || !due[0].OccurredAt.Equal(want) {
		t.Fatalf("follow-up due events: %+v", due)
	}
	if got := h.store.timeline(); got[len(got)-1] != redress.KindFollowUpDue {
		t.Errorf("timeline = %v", got)
	}
}

// Reopening drops a follow-up not yet due; the next resolution schedules it
// again from then.
func TestReopenMovesTheFollowUp(t *testing.T) {
	h := newHarnessAt(t, start, redress.P3, redress.TierGold, followUpPolicy())
	h.expectWinback()
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	h.update(2*time.Hour, workflows.ReopenUpdate, workflows.CustomerMessageInput{Message: "Still broken"})
	reopened := h.stateAt(150 * time.Minute)
	h.update(3*time.Hour, workflows.ResolveUpdate, resolution)
	h.update(4*time.Hour, workflows.ConfirmUpdate, nil)
	h.update(5*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 4})
	h.run()
	if reopened.FollowUpDueAt != nil {
		t.Errorf("the reopened complaint still has a follow-up due at %s", reopened.FollowUpDueAt)
	}
	due := h.store.events(redress.EventFollowUpDue)
	if len(due) != 1 || !due[0].OccurredAt.Equal(start.Add(75*time.Hour)) {
		t.Fatalf("follow-up due events: %+v", due)
	}
}

// A complaint the policy names neither by priority nor by tier gets no
// follow-up: its workflow ends with the survey.
func TestNoFollowUpOutsideThePolicy(t *testing.T) {
	h := newHarnessAt(t, start, redress.P3, redress.TierSilver, followUpPolicy())
	h.expectWinback()
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	h.update(2*time.Hour, workflows.ConfirmUpdate, nil)
	h.update(3*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 5})
	h.run()
	if due := h.store.events(redress.EventFollowUpDue); len(due) != 0 || h.store.last().FollowUpDueAt != nil {
		t.Errorf("a follow-up outside the policy: %+v, %v", due, h.store.last().FollowUpDueAt)
	}
}
