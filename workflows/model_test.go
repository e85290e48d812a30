package workflows_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"pgregory.net/rapid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest/slamodel"
	"github.com/redress-dev/redress/workflows"
)

// clockCase is one complaint for the model test: a policy, who filed it and
// when, and what people did to it.
type clockCase struct {
	policy   redress.Policy
	priority redress.Priority
	tier     redress.Tier
	created  time.Time
	actions  []slamodel.Action
	horizon  time.Time
}

// genClockCase draws policies whose windows are multiples of one unit, so
// that deadlines often coincide, in zones that change their clocks, with
// business hours on or off, and actions that often land on a deadline.
func genClockCase(t *rapid.T) clockCase {
	p := redress.DefaultPolicy()
	p.Timezone = rapid.SampledFrom(slamodel.DSTZones).Draw(t, "zone")
	day := rapid.SampledFrom(slamodel.DSTDays).Draw(t, "day")
	if rapid.Bool().Draw(t, "business_hours") {
		p.BusinessHours = slamodel.GenBusinessHours(t, day)
	}
	unit := rapid.SampledFrom([]time.Duration{16 * time.Minute, 32 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}).Draw(t, "unit")
	for _, prio := range redress.Priorities {
		ack := unit * time.Duration(rapid.IntRange(1, 3).Draw(t, "ack"))
		resolve := ack * time.Duration(rapid.IntRange(1, 4).Draw(t, "resolve"))
		p.SLA[prio] = redress.SLA{AckWithin: redress.Duration(ack), ResolveWithin: redress.Duration(resolve)}
	}
	p.AckWarningAt = rapid.SampledFrom([]float64{0.5, 0.75}).Draw(t, "warn_at")
	p.ReopenWithin = redress.Duration(rapid.SampledFrom([]time.Duration{time.Hour, 2 * time.Hour, 24 * time.Hour, 168 * time.Hour}).Draw(t, "reopen"))
	remind := rapid.SampledFrom([]time.Duration{time.Hour, 2 * time.Hour, 48 * time.Hour}).Draw(t, "remind")
	p.Survey = redress.SurveyPolicy{RemindAfter: redress.Duration(remind),
		ExpireAfter: redress.Duration(remind * time.Duration(rapid.IntRange(2, 3).Draw(t, "expire")))}
	p.Waiting = redress.WaitingPolicy{}
	if rapid.Bool().Draw(t, "waiting_clocks") {
		wait := unit * time.Duration(rapid.IntRange(1, 3).Draw(t, "wait_remind"))
		p.Waiting = redress.WaitingPolicy{RemindAfter: redress.Duration(wait),
			CloseAfter: redress.Duration(wait * time.Duration(rapid.IntRange(2, 3).Draw(t, "wait_close")))}
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("drew a bad policy: %v", err)
	}

	c := clockCase{policy: p,
		priority: rapid.SampledFrom(redress.Priorities).Draw(t, "priority"),
		tier:     rapid.SampledFrom(redress.Tiers).Draw(t, "tier"),
		created:  day.Add(time.Duration(rapid.IntRange(0, 7*24*60).Draw(t, "created")) * time.Minute)}
	span := time.Duration(rapid.IntRange(1, 21).Draw(t, "days")) * 24 * time.Hour
	// Half a minute past a whole minute: nothing else happens then.
	c.horizon = c.created.Add(span + 30*time.Second)
	kinds := []string{slamodel.Acknowledge, slamodel.Update, slamodel.Wait, slamodel.Reply, slamodel.Escalate,
		slamodel.Resolve, slamodel.Confirm, slamodel.Reopen, slamodel.Answer}
	taken := map[time.Duration]bool{}
	for range rapid.IntRange(0, 10).Draw(t, "actions") {
		var after time.Duration
		if rapid.Bool().Draw(t, "on_a_beat") { // on a multiple of the quarter unit, where wall-time deadlines fall
			after = unit / 4 * time.Duration(rapid.IntRange(1, int(span/(unit/4))).Draw(t, "beat"))
		} else {
			after = time.Duration(rapid.IntRange(1, int(span/time.Minute)).Draw(t, "minute")) * time.Minute
		}
		if taken[after] {
			continue
		}
		taken[after] = true
		c.actions = append(c.actions, slamodel.Action{At: c.created.Add(after), Kind: rapid.SampledFrom(kinds).Draw(t, "kind"),
			Score: rapid.IntRange(1, 5).Draw(t, "score")})
	}
	slices.SortFunc(c.actions, func(a, b slamodel.Action) int { return a.At.Compare(b.At) })
	return c
}

// send turns a model action into the workflow Update a person would send.
func send(h *harness, created time.Time, a slamodel.Action) func() error {
	after := a.At.Sub(created)
	key := workflows.Attribution{By: redress.ByKey("desk")}
	switch a.Kind {
	case slamodel.Acknowledge:
		return h.update(after, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "ana", Attribution: key})
	case slamodel.Update, slamodel.Wait:
		return h.update(after, workflows.ProgressUpdate, workflows.ProgressInput{Actor: "ana", Message: "news",
			WaitingOnCustomer: a.Kind == slamodel.Wait, Attribution: key})
	case slamodel.Reply:
		return h.update(after, workflows.CustomerReplyUpdate, workflows.CustomerMessageInput{Message: "here it is"})
	case slamodel.Escalate:
		return h.update(after, workflows.EscalateUpdate, workflows.EscalateInput{Actor: "ana", Reason: "loud", Attribution: key})
	case slamodel.Resolve:
		return h.update(after, workflows.ResolveUpdate, workflows.ResolveInput{Actor: "ana", Attribution: key, Type: "refund",
			Summary: "refunded", RootCause: "logistics"})
	case slamodel.Confirm:
		return h.update(after, workflows.ConfirmUpdate, nil)
	case slamodel.Reopen:
		return h.update(after, workflows.ReopenUpdate, workflows.CustomerMessageInput{Message: "still broken"})
	default:
		return h.update(after, workflows.AnswerSurveyUpdate, workflows.SurveyAnswer{Score: a.Score})
	}
}

// TestClocksMatchTheModel runs random complaints through the real workflow
// in the time-skipping environment and compares every timeline line (when
// and what, and the credential of the step that wrote it), every action's
// acceptance and the final clocks with the reference model. `make test` runs a fixed-seed set; `make fuzz` runs
// thousands.
func TestClocksMatchTheModel(t *testing.T) {
	slamodel.Checks(300)
	rapid.Check(t, func(rt *rapid.T) {
		c := genClockCase(rt)
		want := slamodel.Run(c.policy, c.priority, c.tier, c.created, c.actions, c.horizon)

		h := newHarnessAt(rt, c.created, c.priority, c.tier, c.policy)
		var outcomes []func() error
		for _, a := range c.actions[:len(want.Accepted)] {
			outcomes = append(outcomes, send(h, c.created, a))
		}
		h.at(c.horizon.Sub(c.created), h.env.CancelWorkflow)
		h.env.ExecuteWorkflow(workflows.Complaint, h.in)
		var canceled *temporal.CanceledError
		switch err := h.env.GetWorkflowError(); {
		case want.EndedAt != nil && err != nil:
			rt.Fatalf("the survey ended at %s, so the workflow should have completed: %v", want.EndedAt, err)
		case want.EndedAt == nil && !errors.As(err, &canceled):
			rt.Fatalf("the workflow should still run at the horizon, cancelled then; it ended with %v", err)
		}

		for i, outcome := range outcomes {
			if got := outcome() == nil; got != want.Accepted[i] {
				rt.Fatalf("%s at %s: accepted=%v, the model says %v (%v)", c.actions[i].Kind, c.actions[i].At, got, want.Accepted[i], outcome())
			}
		}
		if got, exp := timelineOf(h.store), linesOf(want.Lines); got != exp {
			rt.Fatalf("timeline differs from the model\n got: %s\nwant: %s", got, exp)
		}
		last := h.in.State
		if n := len(h.store.changes); n > 0 {
			last = h.store.last()
		}
		gotState := fmt.Sprintf("%s level %d breached %v ack due %s resolve due %s", last.Status, last.EscalationLevel,
			last.SLABreached, stamp(last.AckDueAt), stamp(last.ResolveDueAt))
		wantState := fmt.Sprintf("%s level %d breached %v ack due %s resolve due %s", want.Status, want.Level,
			want.Breached, stamp(want.AckDueAt), stamp(want.ResolveDueAt))
		if gotState != wantState {
			rt.Fatalf("final state differs\n got: %s\nwant: %s", gotState, wantState)
		}
	})
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// timelineOf lists what the workflow wrote, in seq order, as "time kind".
func timelineOf(s *memoryStore) string {
	type numbered struct {
		seq  int
		line string
	}
	var lines []numbered
	for _, ch := range s.changes {
		first := ch.Seq - len(ch.Timeline) + 1
		for i, e := range ch.Timeline {
			lines = append(lines, numbered{first + i, e.At.UTC().Format(time.RFC3339) + " " + e.Kind + " by " + e.By})
		}
	}
	slices.SortFunc(lines, func(a, b numbered) int { return a.seq - b.seq })
	var out []string
	for _, l := range lines {
		out = append(out, l.line)
	}
	return strings.Join(out, ", ")
}

func linesOf(lines []slamodel.Line) string {
	var out []string
	for _, l := range lines {
		by := map[string]string{slamodel.BySystem: redress.BySystem, slamodel.ByStaff: redress.ByKey("desk"),
			slamodel.ByCustomer: redress.ByCustomerLink}[l.By]
		out = append(out, l.At.UTC().Format(time.RFC3339)+" "+l.Kind+" by "+by)
	}
	return strings.Join(out, ", ")
}
