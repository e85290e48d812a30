package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

func TestComplaintsPagesNewestFirstWithFilters(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierStandard)
	other := newCustomer(t, db, redress.TierStandard)
	base := time.Now().UTC().Add(-time.Hour)
	var ids []string
	for i := range 7 {
		owner := cust.ID
		if i == 6 {
			owner = other.ID
		}
		f := newFiling(owner, base.Add(time.Duration(i)*time.Minute))
		if i%2 == 0 {
			f.Complaint.Priority = redress.P1
		}
		ids = append(ids, file(t, db, f))
	}
	breach := redress.Change{ComplaintID: ids[1], Seq: 2, State: redress.State{Status: redress.StatusReceived,
		Priority: redress.P3, EscalationLevel: 1, SLABreached: true},
		Timeline: []redress.TimelineEntry{{At: time.Now(), Actor: "system", Kind: "escalated"}}}
	if err := db.ApplyChange(ctx, breach, nil); err != nil {
		t.Fatal(err)
	}

	var seen []string
	cursor := ""
	for page := 0; ; page++ {
		items, next, err := db.Complaints(ctx, postgres.ComplaintFilter{CustomerID: cust.ID, Limit: 4, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range items {
			seen = append(seen, c.ID)
		}
		if next == "" {
			break
		}
		cursor = next
		if page > 3 {
			t.Fatal("pagination does not end")
		}
	}
	want := []string{ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}
	if len(seen) != len(want) {
		t.Fatalf("saw %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("order %v, want newest first %v", seen, want)
		}
	}

	yes, no := true, false
	tests := []struct {
		name   string
		filter postgres.ComplaintFilter
		want   int
	}{
		{"priority", postgres.ComplaintFilter{Priority: redress.P1}, 4},
		{"escalated", postgres.ComplaintFilter{Escalated: &yes}, 1},
		{"not escalated", postgres.ComplaintFilter{Escalated: &no}, 6},
		{"breached", postgres.ComplaintFilter{Breached: &yes}, 1},
		{"status", postgres.ComplaintFilter{Status: redress.StatusReceived}, 7},
		{"category", postgres.ComplaintFilter{Category: redress.CategorySafety}, 0},
		{"customer", postgres.ComplaintFilter{CustomerID: other.ID}, 1},
		{"malformed customer id", postgres.ComplaintFilter{CustomerID: "x"}, 0},
		{"combined", postgres.ComplaintFilter{CustomerID: cust.ID, Priority: redress.P1}, 3},
	}
	for _, tt := range tests {
		tt.filter.Limit = 50
		items, next, err := db.Complaints(ctx, tt.filter)
		if err != nil || len(items) != tt.want || next != "" {
			t.Errorf("%s: %d items, next %q, %v; want %d", tt.name, len(items), next, err, tt.want)
		}
	}
	if _, _, err := db.Complaints(ctx, postgres.ComplaintFilter{Limit: 5, Cursor: "garbage"}); redress.ErrorCode(err) != redress.EINVALID {
		t.Errorf("bad cursor: %v", err)
	}
}
