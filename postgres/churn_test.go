package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

func TestRiskiestCustomers(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	score := func(n int) *int { return &n }
	complain := func(cu *redress.Customer, s redress.State) string {
		id := file(t, db, newFiling(cu.ID, time.Now()))
		if err := db.ApplyChange(ctx, redress.Change{ComplaintID: id, Seq: 2, State: s,
			Timeline: []redress.TimelineEntry{{At: time.Now(), Actor: "x", Kind: "k"}}}, nil); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// angry: one open complaint (3), one closed with a score of 1 (4), never
	// bought (12): 19.
	angry := newCustomer(t, db, redress.TierGold)
	complain(angry, redress.State{Status: redress.StatusInProgress, Priority: redress.P3})
	complain(angry, redress.State{Status: redress.StatusClosed, Priority: redress.P3, Survey: redress.Survey{Status: "answered", Score: score(1)}})
	// escalated: an escalated open complaint (3 + 2), bought today (0): 5.
	escalated := newCustomer(t, db, redress.TierStandard)
	complain(escalated, redress.State{Status: redress.StatusAcknowledged, Priority: redress.P3, EscalationLevel: 1})
	if _, err := db.AddPurchase(ctx, redress.Purchase{CustomerID: escalated.ID, Amount: 10, Currency: "CNY", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// content: a closed complaint scored 5: nothing to worry about.
	content := newCustomer(t, db, redress.TierStandard)
	complain(content, redress.State{Status: redress.StatusClosed, Priority: redress.P3, Survey: redress.Survey{Status: "answered", Score: score(5)}})
	// courted: would score, but a win-back is already under way.
	courted := newCustomer(t, db, redress.TierStandard)
	id := complain(courted, redress.State{Status: redress.StatusInProgress, Priority: redress.P3})
	if err := db.ApplyWinback(ctx, redress.WinbackChange{ComplaintID: id, Seq: 100001, Winback: redress.Winback{Status: "offered"}}); err != nil {
		t.Fatal(err)
	}

	risks, err := db.RiskiestCustomers(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(risks) != 2 || risks[0].CustomerID != angry.ID || risks[0].Score != 19 || risks[0].Tier != redress.TierGold ||
		risks[1].CustomerID != escalated.ID || risks[1].Score != 5 || *risks[1].DaysSincePurchase != 0 {
		t.Fatalf("risks = %+v", risks)
	}
	if top, _ := db.RiskiestCustomers(ctx, 1); len(top) != 1 || top[0].CustomerID != angry.ID {
		t.Errorf("limit 1 = %+v", top)
	}
}
