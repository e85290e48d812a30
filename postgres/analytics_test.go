package postgres_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

func TestSummary(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierStandard)
	base := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	h := time.Hour

	// story files a complaint at base+offset and plays its later steps.
	story := func(offset time.Duration, category redress.Category, steps ...redress.Change) string {
		f := newFiling(cust.ID, base.Add(offset))
		f.Complaint.Category = category
		id := file(t, db, f)
		for i, ch := range steps {
			ch.ComplaintID, ch.Seq = id, i+2
			if err := db.ApplyChange(ctx, ch, nil); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	at := func(d time.Duration) *time.Time { v := base.Add(d); return &v }
	line := func(d time.Duration, kind, detail string) []redress.TimelineEntry {
		return []redress.TimelineEntry{{At: base.Add(d), Actor: "x", Kind: kind, Detail: detail}}
	}
	score := func(n int) *int { return &n }
	resolution := func(cause string) *redress.Resolution {
		return &redress.Resolution{Type: "refund", Summary: "s", RootCause: cause}
	}

	// A: acknowledged after 1h, resolved after 2h, scored 4.
	story(0, redress.CategoryDelivery,
		redress.Change{State: redress.State{Status: redress.StatusAcknowledged, Priority: redress.P3, AcknowledgedAt: at(h)}, Timeline: line(h, "acknowledged", "")},
		redress.Change{State: redress.State{Status: redress.StatusClosed, Priority: redress.P3, AcknowledgedAt: at(h),
			Resolution: resolution("logistics"), Survey: redress.Survey{Status: "answered", Score: score(4)}}, Timeline: line(2*h, "resolved", "")})
	// B: the acknowledgement window breached, acknowledged after 30h,
	// resolved after 40h, reopened, scored 1, won back.
	b := story(0, redress.CategoryProductQuality,
		redress.Change{State: redress.State{Status: redress.StatusReceived, Priority: redress.P3, SLABreached: true},
			Timeline: line(24*h, "sla_breached", "SLA breached: "+redress.BreachAcknowledgement)},
		redress.Change{State: redress.State{Status: redress.StatusAcknowledged, Priority: redress.P3, AcknowledgedAt: at(30 * h)}, Timeline: line(30*h, "acknowledged", "")},
		redress.Change{State: redress.State{Status: redress.StatusResolved, Priority: redress.P3, AcknowledgedAt: at(30 * h)}, Timeline: line(40*h, "resolved", "")},
		redress.Change{State: redress.State{Status: redress.StatusReopened, Priority: redress.P3, AcknowledgedAt: at(30 * h)}, Timeline: line(41*h, "reopened", "")},
		redress.Change{State: redress.State{Status: redress.StatusClosed, Priority: redress.P3, AcknowledgedAt: at(30 * h),
			Resolution: resolution("product_defect"), Survey: redress.Survey{Status: "answered", Score: score(1)}}, Timeline: line(50*h, "resolved", "")})
	if err := db.ApplyWinback(ctx, redress.WinbackChange{ComplaintID: b, CustomerID: cust.ID, RunID: "run-b", Seq: 100001,
		Winback: redress.Winback{Status: "finished", Outcome: "won_back"}, Timeline: line(60*h, "winback_won_back", "")}); err != nil {
		t.Fatal(err)
	}
	// C: still waiting, within its window: measured by nothing but counts.
	story(h, redress.CategoryDelivery)
	// E: acknowledged after 2h, the resolution window breached, resolved
	// after 200h, survey expired, win-back lost.
	e := story(0, redress.CategoryBilling,
		redress.Change{State: redress.State{Status: redress.StatusAcknowledged, Priority: redress.P2, AcknowledgedAt: at(2 * h)}, Timeline: line(2*h, "acknowledged", "")},
		redress.Change{State: redress.State{Status: redress.StatusInProgress, Priority: redress.P2, AcknowledgedAt: at(2 * h), SLABreached: true},
			Timeline: line(120*h, "sla_breached", "SLA breached: "+redress.BreachResolution)},
		redress.Change{State: redress.State{Status: redress.StatusClosed, Priority: redress.P2, AcknowledgedAt: at(2 * h),
			Resolution: resolution("logistics"), Survey: redress.Survey{Status: "expired"}}, Timeline: line(200*h, "resolved", "")})
	if err := db.ApplyWinback(ctx, redress.WinbackChange{ComplaintID: e, CustomerID: cust.ID, RunID: "run-e", Seq: 100001,
		Winback: redress.Winback{Status: "finished", Outcome: "lost"}, Timeline: line(300*h, "winback_lost", "")}); err != nil {
		t.Fatal(err)
	}
	// D: filed before the window.
	story(-48*h, redress.CategorySafety)

	s, err := db.Summary(ctx, utcBasis, base.Add(-h), base.Add(24*h))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("%s = %v, want %v", name, deref(got), want)
		}
	}
	if s.Total != 4 || s.ByCategory["delivery"] != 2 || s.ByCategory["safety"] != 0 || s.ByPriority["P2"] != 1 ||
		s.ByStatus["closed"] != 3 || s.ByChannel["web"] != 4 {
		t.Errorf("counts: total %d, %v %v %v %v", s.Total, s.ByCategory, s.ByPriority, s.ByStatus, s.ByChannel)
	}
	check("ack SLA compliance", s.AckSLACompliance, 66.7)         // A and E of A, B, E
	check("resolve SLA compliance", s.ResolveSLACompliance, 66.7) // A and B of A, B, E
	check("mean time to acknowledge", s.TimeToAcknowledge.MeanSeconds, 39600)
	if p90 := s.TimeToAcknowledge.P90Seconds; p90 == nil || math.Abs(*p90-87840) > 0.01*87840 { // 7200 + 0.8 × (108000 − 7200), within the sketch's 1%
		t.Errorf("p90 time to acknowledge = %v, want 87840 within 1%%", deref(p90))
	}
	check("mean time to resolve", s.TimeToResolve.MeanSeconds, (7200+144000+720000)/3.0) // first resolutions
	check("CSAT", s.CSAT.Average, 2.5)
	check("survey response rate", s.CSAT.ResponseRate, 66.7)
	check("reopen rate", s.ReopenRate, 33.3)
	check("win-back rate", s.WinbackRate, 50)
	if len(s.TopRootCauses) != 2 || s.TopRootCauses[0] != (postgres.RootCauseCount{RootCause: "logistics", Count: 2}) {
		t.Errorf("root causes = %+v", s.TopRootCauses)
	}

	empty, err := db.Summary(ctx, utcBasis, base.Add(1000*h), base.Add(1001*h))
	if err != nil {
		t.Fatal(err)
	}
	if empty.Total != 0 || empty.AckSLACompliance != nil || empty.CSAT.Average != nil || empty.TopRootCauses == nil {
		t.Errorf("an empty window: %+v", empty)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
