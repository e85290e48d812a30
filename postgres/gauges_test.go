package postgres_test

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

func TestGaugesMatchTheReference(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 5))
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	all := fileRandomComplaints(t, db, rng, base, []string{"ana@example.com", ""}, 120)

	type key struct {
		status redress.Status
		level  int
	}
	wantOpen := map[key]int{}
	for _, s := range all {
		if s.Status.Open() {
			wantOpen[key{s.Status, s.EscalationLevel}]++
		}
	}
	open, err := db.OpenCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gotOpen := map[key]int{}
	for _, c := range open {
		gotOpen[key{c.Status, c.Level}] = c.Count
	}
	if len(gotOpen) != len(open) || !maps.Equal(gotOpen, wantOpen) {
		t.Errorf("open counts %v; want %v", open, wantOpen)
	}

	// Due soon is the breaching-soon queue counted per priority, for any
	// horizons by SLA row; a complaint whose row has no horizon counts as
	// its priority's sla row, and one without that either is not due soon.
	for range 20 {
		by := map[string]redress.Horizon{}
		for _, p := range redress.Priorities {
			for _, row := range []string{"sla." + string(p), "sla_by_tier.gold." + string(p)} {
				if rng.IntN(5) > 0 {
					by[row] = redress.Horizon{Ack: base.Add(time.Duration(rng.IntN(20)-4) * time.Hour),
						Resolve: base.Add(time.Duration(rng.IntN(20)-4) * time.Hour)}
				}
			}
		}
		want := map[redress.Priority]int{}
		for _, p := range redress.Priorities {
			want[p] = 0
		}
		q := postgres.QueueQuery{Queue: postgres.QueueBreaching, BreachingBy: by}
		for _, s := range all {
			if inQueue(s, q) {
				want[s.Priority]++
			}
		}
		got, err := db.DueSoonCounts(ctx, by)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("due soon by %v: %v; want %v", by, got, want)
		}
	}

	// Each filing put one message in the outbox; deliver some of them.
	backlog := map[string]time.Time{}
	for _, s := range all {
		backlog[s.ID+"-1"] = s.CreatedAt
	}
	for range 70 {
		m, err := db.ClaimMessage(ctx, time.Minute)
		if err != nil || m == nil {
			t.Fatalf("claim: %v %v", m, err)
		}
		if rng.IntN(3) > 0 {
			if err := db.MarkDelivered(ctx, m); err != nil {
				t.Fatal(err)
			}
			delete(backlog, m.ID)
		}
	}
	count, oldest, err := db.OutboxBacklog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantOldest := slices.MinFunc(slices.Collect(maps.Values(backlog)), time.Time.Compare)
	if count != len(backlog) || !oldest.Equal(wantOldest) {
		t.Errorf("backlog %d, oldest %s; want %d, %s", count, oldest, len(backlog), wantOldest)
	}
}

func TestOutboxBacklogOfAnEmptyOutbox(t *testing.T) {
	db := redresstest.NewDB(t)
	count, oldest, err := db.OutboxBacklog(context.Background())
	if err != nil || count != 0 || !oldest.IsZero() {
		t.Errorf("empty outbox: %d, %s, %v; want 0 and no oldest", count, oldest, err)
	}
}
