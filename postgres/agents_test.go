package postgres_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// Each agent's figures over their complaints of the window, worked out by
// hand from the stories below.
func TestAgentPerformance(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierStandard)
	base := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	h := time.Hour
	at := func(d time.Duration) *time.Time { v := base.Add(d); return &v }
	score := func(n int) *int { return &n }
	story := func(filed time.Duration, steps ...redress.Change) {
		id := file(t, db, newFiling(cust.ID, base.Add(filed)))
		for i, ch := range steps {
			ch.ComplaintID, ch.Seq = id, i+2
			if err := db.ApplyChange(ctx, ch, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	step := func(s redress.State, lineAt time.Duration, kind, breach string) redress.Change {
		s.Priority = redress.P3
		return redress.Change{State: s, Timeline: []redress.TimelineEntry{{At: base.Add(lineAt), Kind: kind, Breach: breach}}}
	}
	// Ana: acknowledged after 1 h, resolved after 3 h, scored 5.
	story(0,
		step(redress.State{Status: redress.StatusAcknowledged, Assignee: "ana", AcknowledgedAt: at(h)}, h, redress.KindAcknowledged, ""),
		step(redress.State{Status: redress.StatusClosed, Assignee: "ana", AcknowledgedAt: at(h),
			Survey: redress.Survey{Status: "answered", Score: score(5)}}, 3*h, redress.KindResolved, ""))
	// Ana: the acknowledgement breached, acknowledged after 30 h, resolved
	// after 40 h, reopened, resolved again, scored 2.
	story(0,
		step(redress.State{Status: redress.StatusReceived, SLABreached: true}, 24*h, redress.KindSLABreached, redress.BreachAcknowledgement),
		step(redress.State{Status: redress.StatusAcknowledged, Assignee: "ana", AcknowledgedAt: at(30 * h)}, 30*h, redress.KindAcknowledged, ""),
		step(redress.State{Status: redress.StatusResolved, Assignee: "ana", AcknowledgedAt: at(30 * h)}, 40*h, redress.KindResolved, ""),
		step(redress.State{Status: redress.StatusReopened, Assignee: "ana", AcknowledgedAt: at(30 * h)}, 41*h, redress.KindReopened, ""),
		step(redress.State{Status: redress.StatusClosed, Assignee: "ana", AcknowledgedAt: at(30 * h),
			Survey: redress.Survey{Status: "answered", Score: score(2)}}, 50*h, redress.KindResolved, ""))
	// Bo: assigned, not acknowledged yet.
	story(h, step(redress.State{Status: redress.StatusReceived, Assignee: "bo"}, 2*h, redress.KindAssigned, ""))
	// Nobody's, and one of Bo's filed after the window: neither counts.
	story(2 * h)
	story(30*24*h, step(redress.State{Status: redress.StatusReceived, Assignee: "bo"}, 30*24*h, redress.KindAssigned, ""))

	agents, err := db.AgentPerformance(ctx, utcBasis, base, base.Add(24*h))
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != 2 || agents[0].Assignee != "ana" || agents[1].Assignee != "bo" {
		t.Fatalf("agents = %+v; want ana and bo", agents)
	}
	num := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	ana, bo := agents[0], agents[1]
	// Medians come from the sketch: within 1% of the exact one.
	checks := []struct {
		what      string
		got, want float64
	}{
		{"ana handled", float64(ana.Handled), 2},
		{"ana median time to acknowledge", num(ana.TimeToAcknowledge.MedianSeconds), 15.5 * 3600},
		{"ana median time to resolve", num(ana.TimeToResolve.MedianSeconds), 21.5 * 3600},
		{"ana acknowledgement SLA", num(ana.AckSLACompliance), 50},
		{"ana resolution SLA", num(ana.ResolveSLACompliance), 100},
		{"ana CSAT", num(ana.CSATAverage), 3.5},
		{"ana CSAT answers", float64(ana.CSATAnswered), 2},
		{"ana reopen rate", num(ana.ReopenRate), 50},
		{"bo handled", float64(bo.Handled), 1},
		{"bo median time to acknowledge", num(bo.TimeToAcknowledge.MedianSeconds), -1},
		{"bo acknowledgement SLA", num(bo.AckSLACompliance), -1},
		{"bo CSAT", num(bo.CSATAverage), -1},
		{"bo reopen rate", num(bo.ReopenRate), -1},
	}
	for _, c := range checks {
		if c.got != c.want && !(strings.Contains(c.what, "median") && math.Abs(c.got-c.want) <= 0.01*c.want) {
			t.Errorf("%s = %v; want %v (-1: not measured)", c.what, c.got, c.want)
		}
	}
}
