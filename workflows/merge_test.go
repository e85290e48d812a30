package workflows_test

import (
	"slices"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

// A duplicate merged into the complaint it repeats ends there: status
// merged naming the kept complaint, every clock stopped, no survey and no
// win-back, the customer told once; the workflow ends by itself, and a
// closed complaint or the complaint itself is refused as a target.
func TestMergedDuplicateEndsWithoutSurvey(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	h.in.CustomerTier = redress.TierDiamond // a breach would start a win-back
	winbacks := h.expectWinback()
	self := h.update(time.Hour, workflows.MergeIntoUpdate, workflows.MergeIntoInput{Actor: "ana", Into: "c1"})
	h.update(2*time.Hour, workflows.ProgressUpdate, workflows.ProgressInput{Actor: "ana", Message: "Photo?", WaitingOnCustomer: true})
	merged := h.update(3*time.Hour, workflows.MergeIntoUpdate, workflows.MergeIntoInput{Actor: "ana", Into: "c2"})
	h.run() // it ends by itself, long before the 24 h acknowledgement window
	if err := self(); !refusedAs(err, workflows.ErrInvalidAction) {
		t.Errorf("merged into itself: %v", err)
	}
	if err := merged(); err != nil {
		t.Fatal(err)
	}
	s := h.store.last()
	if s.Status != redress.StatusMerged || s.MergedInto != "c2" || s.AckDueAt != nil || s.ResolveDueAt != nil ||
		s.ResolvePausedAt != nil || s.Survey.Status == redress.SurveySent {
		t.Errorf("after the merge: %+v", s)
	}
	timeline := h.store.timeline()
	if timeline[len(timeline)-1] != redress.KindMerged {
		t.Errorf("timeline %v; want it to end with the merge", timeline)
	}
	for _, k := range []string{redress.KindSLABreached, redress.KindSurveySent, redress.KindWaitingReminded, redress.KindWinbackStarted} {
		if slices.Contains(timeline, k) {
			t.Errorf("a merged complaint's timeline has %s: %v", k, timeline)
		}
	}
	if ev := h.store.events(redress.EventMerged); len(ev) != 1 || ev[0].Data["into"] != "c2" {
		t.Errorf("merged events %+v", ev)
	}
	if len(*winbacks) != 0 {
		t.Errorf("win-backs %+v", *winbacks)
	}
}

func TestClosedComplaintIsNotMerged(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	h.update(2*time.Hour, workflows.ConfirmUpdate, nil)
	merge := h.update(3*time.Hour, workflows.MergeIntoUpdate, workflows.MergeIntoInput{Actor: "ana", Into: "c2"})
	absorb := h.update(3*time.Hour, workflows.AbsorbUpdate, workflows.AbsorbInput{Actor: "ana", From: "c0"})
	h.runUntil(4 * time.Hour)
	for name, err := range map[string]error{"merged": merge(), "kept": absorb()} {
		if !refusedAs(err, workflows.ErrStatusConflict) {
			t.Errorf("a closed complaint %s: %v", name, err)
		}
	}
}

// The kept complaint takes the duplicate's lines, each naming its origin,
// with what was internal kept internal, and its clocks stay exactly where
// they were: its acknowledgement still breaches at its own deadline.
func TestAbsorbKeepsTheClocks(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	before := h.stateAt(59 * time.Minute)
	absorb := h.update(time.Hour, workflows.AbsorbUpdate, workflows.AbsorbInput{Actor: "ana", From: "c0", Lines: []workflows.AbsorbedLine{
		{Kind: redress.KindMergedMessage, Detail: "From complaint c0: the kettle leaks"},
		{Kind: redress.KindMergedNote, Detail: "From complaint c0 (note): called the courier"},
		{Kind: "update", Detail: "an unknown kind is kept internal"},
	}})
	after := h.stateAt(61 * time.Minute)
	h.runUntil(25 * time.Hour)
	if err := absorb(); err != nil {
		t.Fatal(err)
	}
	if !before.AckDueAt.Equal(*after.AckDueAt) || !before.ResolveDueAt.Equal(*after.ResolveDueAt) || after.Status != before.Status {
		t.Errorf("the clocks moved: before %+v, after %+v", before, after)
	}
	var lines []redress.TimelineEntry
	for _, ch := range h.store.changes {
		lines = append(lines, ch.Timeline...)
	}
	want := map[string]bool{redress.KindMergedIn: true, redress.KindMergedMessage: true, redress.KindMergedNote: false}
	kinds := 0
	for _, l := range lines {
		if public, ok := want[l.Kind]; ok {
			kinds++
			if l.Public != public {
				t.Errorf("%s line public %v", l.Kind, l.Public)
			}
		}
		if l.Kind == redress.KindSLABreached && !l.At.Equal(*before.AckDueAt) {
			t.Errorf("the breach fell at %s; the deadline was %s", l.At, before.AckDueAt)
		}
	}
	if kinds != 4 || !slices.Contains(h.store.timeline(), redress.KindSLABreached) {
		t.Errorf("timeline %v", h.store.timeline())
	}
}

// After its customer is merged into another, a complaint's events and the
// win-back it starts are the new customer's.
func TestComplaintFollowsItsMergedCustomer(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	winbacks := h.expectWinback()
	h.at(time.Hour, func() {
		h.env.SignalWorkflow(redress.CustomerChangedSignal, redress.CustomerChanged{CustomerID: "u2", Tier: redress.TierGold})
	})
	h.update(2*time.Hour, workflows.ResolveUpdate, resolution)
	h.update(3*time.Hour, workflows.ConfirmUpdate, nil)
	h.update(4*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 1})
	h.run()
	if len(*winbacks) != 1 || (*winbacks)[0].CustomerID != "u2" || (*winbacks)[0].Tier != redress.TierGold {
		t.Errorf("win-backs %+v; want one for u2, gold", *winbacks)
	}
	if ev := h.store.events(redress.EventSurveyAnswered); len(ev) != 1 || ev[0].CustomerID != "u2" {
		t.Errorf("the survey's event %+v; want it for u2", ev)
	}
}

// A win-back under way for a customer merged into this complaint's (its
// record moved with the merge) keeps the customer at one: the complaint
// starts none.
func TestNoSecondWinbackForAMergedCustomer(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy())
	h.store.winbackRunning = true
	winbacks := h.expectWinback()
	h.update(time.Hour, workflows.ResolveUpdate, resolution)
	h.update(2*time.Hour, workflows.ConfirmUpdate, nil)
	h.update(3*time.Hour, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: 1})
	h.run()
	if len(*winbacks) != 0 {
		t.Errorf("win-backs %+v; want none while one runs", *winbacks)
	}
	if got := h.store.timeline(); got[len(got)-1] != redress.KindWinbackSkipped {
		t.Errorf("timeline %v; want it to end with the win-back skipped", got)
	}
}
