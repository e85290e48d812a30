package postgres_test

import (
	"context"
	"slices"
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
	open := redress.State{Status: redress.StatusInProgress, Priority: redress.P3}
	daysAgo := func(d int) time.Time { return time.Now().Add(-time.Duration(d) * 24 * time.Hour) }
	ended := func(d int) *time.Time { t := daysAgo(d); return &t }

	// angry: one open complaint (3), one closed with a score of 1 (4), never
	// bought (12): 19.
	angry := newCustomer(t, db, redress.TierGold)
	complain(angry, open)
	complain(angry, redress.State{Status: redress.StatusClosed, Priority: redress.P3, Survey: redress.Survey{Status: "answered", Score: score(1)}})
	// escalated: an escalated open complaint (3 + 2), bought today (0): 5.
	escalated := newCustomer(t, db, redress.TierStandard)
	complain(escalated, redress.State{Status: redress.StatusAcknowledged, Priority: redress.P3, EscalationLevel: 1})
	if _, err := db.AddPurchase(ctx, redress.Purchase{CustomerID: escalated.ID, Amount: 10, Currency: "CNY", At: time.Now()}, redress.DefaultPolicy().Loyalty, "test"); err != nil {
		t.Fatal(err)
	}
	// content: a closed complaint scored 5: nothing to worry about.
	content := newCustomer(t, db, redress.TierStandard)
	complain(content, redress.State{Status: redress.StatusClosed, Priority: redress.P3, Survey: redress.Survey{Status: "answered", Score: score(5)}})
	// Each of these would score 15 (an open complaint, never bought):
	// courted has a complaint's win-back under way,
	courted := newCustomer(t, db, redress.TierStandard)
	court(t, db, courted, complain(courted, open), daysAgo(3), nil)
	// campaigned a campaign's, which names no complaint,
	campaigned := newCustomer(t, db, redress.TierStandard)
	complain(campaigned, open)
	court(t, db, campaigned, "", daysAgo(1), nil)
	// cooling had one end 10 days ago, within the 30 days' cool-down,
	cooling := newCustomer(t, db, redress.TierStandard)
	complain(cooling, open)
	court(t, db, cooling, "", daysAgo(40), ended(10))
	// and lapsed had one end 40 days ago, past it: courted again.
	lapsed := newCustomer(t, db, redress.TierSilver)
	complain(lapsed, open)
	court(t, db, lapsed, "", daysAgo(70), ended(40))

	coolDown := 30 * 24 * time.Hour
	risks, err := db.RiskiestCustomers(ctx, 10, coolDown)
	if err != nil {
		t.Fatal(err)
	}
	if len(risks) != 3 || risks[0].CustomerID != angry.ID || risks[0].Score != 19 || risks[0].Tier != redress.TierGold ||
		risks[1].CustomerID != lapsed.ID || risks[1].Score != 15 ||
		risks[2].CustomerID != escalated.ID || risks[2].Score != 5 || *risks[2].DaysSincePurchase != 0 {
		t.Fatalf("risks = %+v", risks)
	}
	if top, _ := db.RiskiestCustomers(ctx, 1, coolDown); len(top) != 1 || top[0].CustomerID != angry.ID {
		t.Errorf("limit 1 = %+v", top)
	}
	// A shorter cool-down lets cooling be courted again, never those with
	// a win-back under way.
	short, err := db.RiskiestCustomers(ctx, 10, 5*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range short {
		ids = append(ids, r.CustomerID)
	}
	// Ties go by id, and ids grow with time: cooling was made before lapsed.
	if want := []string{angry.ID, cooling.ID, lapsed.ID, escalated.ID}; !slices.Equal(ids, want) {
		t.Errorf("with a 5-day cool-down: %v, want %v", ids, want)
	}
}
