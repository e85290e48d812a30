package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

// When the server suggests it, the workflow continues as new and hands on
// its whole state: the next run picks up a paused resolution clock with the
// time it had left and numbers its timeline after the last run's lines.
func TestContinueAsNewCarriesTheClocks(t *testing.T) {
	policy := redress.DefaultPolicy() // P3 resolves within 120h, wall time
	h := newHarness(t, redress.P3, policy)
	h.update(time.Hour, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "ana"})
	h.update(2*time.Hour, workflows.ProgressUpdate, workflows.ProgressInput{Actor: "ana", Message: "photo?", WaitingOnCustomer: true})
	h.update(150*time.Minute, workflows.EscalateUpdate, workflows.EscalateInput{Actor: "ana", Reason: "press"})
	h.at(3*time.Hour, func() { h.env.SetContinueAsNewSuggested(true) })
	h.env.ExecuteWorkflow(workflows.Complaint, h.in)

	next := continued[workflows.ComplaintInput](t, h)
	lastSeq := h.store.changes[len(h.store.changes)-1].Seq
	if c := next.Carried; c == nil || c.Seq != lastSeq || !c.ResolvePaused || c.ResolveLeft != 118*time.Hour {
		t.Fatalf("carried %+v; want seq %d and a paused resolution clock with 118h left", next.Carried, lastSeq)
	}
	if next.State.Status != redress.StatusWaitingOnCustomer || next.State.EscalationLevel != 1 || next.ComplaintID != h.in.ComplaintID {
		t.Fatalf("handed on %+v", next.State)
	}

	// The next run: the customer answers an hour later, so the clock resumes
	// with 118h left and breaches at 4h+118h after intake.
	h2 := newHarnessAt(t, start.Add(3*time.Hour), redress.P3, redress.TierStandard, policy)
	h2.in = next
	h2.update(time.Hour, workflows.CustomerReplyUpdate, workflows.CustomerMessageInput{Message: "here"})
	before := h2.stateAt(118*time.Hour + time.Hour - time.Minute)
	h2.runUntil(118*time.Hour + time.Hour + time.Minute)
	if want := start.Add(122 * time.Hour); before.ResolveDueAt == nil || !before.ResolveDueAt.Equal(want) {
		t.Errorf("resumed resolution due %v, want %v", before.ResolveDueAt, want)
	}
	first := h2.store.changes[0]
	if got := first.Seq - len(first.Timeline) + 1; got != lastSeq+1 {
		t.Errorf("the next run's first line is seq %d, want %d", got, lastSeq+1)
	}
	if last := h2.store.last(); !last.SLABreached || last.EscalationLevel != 2 {
		t.Errorf("after the resumed deadline: %+v", last)
	}
}

// The step of an action sent under an idempotency key records its Update
// id, so PostgreSQL can answer a retry that reaches the next run; an action
// without a key, and the clocks' own steps, record none.
func TestKeyedActionsRecordTheirUpdateID(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	keyed := workflows.KeyedUpdateID(workflows.EscalateUpdate, "ana@example.com", "esc-1")
	h.at(time.Hour, func() {
		h.env.UpdateWorkflow(workflows.EscalateUpdate, keyed, &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(error) {}, OnComplete: func(any, error) {}},
			workflows.EscalateInput{Actor: "ana", Reason: "press"})
	})
	h.update(2*time.Hour, workflows.NoteUpdate, workflows.NoteInput{Actor: "ana", Message: "called"})
	h.runUntil(3 * time.Hour)
	var ids []string
	for _, ch := range h.store.changes {
		if ch.UpdateID != "" {
			ids = append(ids, ch.UpdateID)
		}
	}
	if len(ids) != 1 || ids[0] != keyed || strings.Contains(keyed, "ana@example.com") {
		t.Errorf("recorded update ids %v; want only %s, which names no e-mail", ids, keyed)
	}
}
