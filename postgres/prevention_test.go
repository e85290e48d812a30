package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// Root causes by week with their repeats, on a hand-built fixture: a
// customer who complains again within the window repeats, one who waits
// longer does not; a second complaint on an order repeats whoever files
// it; complaints written late still make the next one a repeat; a cause
// that grows shows by how much.
func TestPrevention(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	ana, bo := newCustomer(t, db, redress.TierStandard), newCustomer(t, db, redress.TierGold)
	monday := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // weeks begin on Monday
	day := 24 * time.Hour
	resolved := func(customer string, at time.Time, order, cause string) {
		t.Helper()
		f := newFiling(customer, at)
		f.Complaint.OrderRef = order
		id := file(t, db, f)
		if err := db.ApplyChange(ctx, redress.Change{ComplaintID: id, Seq: 2, State: redress.State{Status: redress.StatusResolved,
			Priority: redress.P3, Resolution: &redress.Resolution{Type: "refund", Summary: "s", RootCause: cause}},
			Timeline: []redress.TimelineEntry{{At: at.Add(time.Hour), Actor: "x", Kind: redress.KindResolved}}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	resolved(ana.ID, monday, "", "logistics")                 // week 1
	resolved(ana.ID, monday.Add(2*day), "ORD-1", "logistics") // week 1: ana again within a week
	resolved(bo.ID, monday.Add(8*day), "ORD-1", "logistics")  // week 2: ORD-1 again, and bo 4 days after his last
	resolved(bo.ID, monday.Add(9*day), "", "logistics")       // week 2: bo again
	resolved(ana.ID, monday.Add(10*day), "", "logistics")     // week 2: ana, 8 days after her last
	resolved(bo.ID, monday.Add(3*day), "", "billing_error")   // week 1, written late
	file(t, db, newFiling(bo.ID, monday.Add(4*day)))          // unresolved, bo again, written late
	basis := postgres.Basis{Zone: time.UTC, RepeatWithin: 7 * day}

	p, err := db.Prevention(ctx, basis, "week", monday.Add(-9*time.Hour), monday.Add(14*day-9*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Buckets) != 2 || p.Unresolved != 1 || len(p.RootCauses) != 2 {
		t.Fatalf("prevention = %+v; want two weeks, one unresolved, two causes", p)
	}
	logistics, billing := p.RootCauses[0], p.RootCauses[1]
	if logistics.RootCause != "logistics" || logistics.Complaints != 5 || logistics.RepeatCustomer != 3 || logistics.RepeatOrder != 1 {
		t.Errorf("logistics = %+v; want 5 complaints, 3 by a returning customer, 1 on a returning order", logistics)
	}
	if w := logistics.Points; w[0].Complaints != 2 || w[0].RepeatCustomer != 1 || w[1].Complaints != 3 || w[1].RepeatCustomer != 2 || w[1].RepeatOrder != 1 {
		t.Errorf("logistics by week = %+v", w)
	}
	if tr := logistics.Trend; tr.Earlier != 2 || tr.Later != 3 || tr.ChangePct == nil || *tr.ChangePct != 50 {
		t.Errorf("logistics trend = %+v; want 2 then 3, +50%%", tr)
	}
	if billing.RootCause != "billing_error" || billing.Complaints != 1 || billing.RepeatCustomer != 0 ||
		billing.Trend.ChangePct == nil || *billing.Trend.ChangePct != -100 {
		t.Errorf("billing = %+v; want one complaint, gone the second week", billing)
	}

	// A rebuilt basis reads the same from the rollups.
	if err := db.RebuildAnalytics(ctx, basis, true, nil); err != nil {
		t.Fatal(err)
	}
	again, err := db.Prevention(ctx, basis, "week", monday.Add(-9*time.Hour), monday.Add(14*day-9*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(again.RootCauses) != 2 || again.RootCauses[0].RepeatCustomer != 3 || again.RootCauses[0].Points[1].RepeatOrder != 1 {
		t.Errorf("from the rollups = %+v", again)
	}
}
