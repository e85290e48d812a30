package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// A complaint's outcomes come from what its lines are, not from their
// words, and hold however its steps reach the store: late, out of order or
// twice.
func TestOutcomesHoldWhateverTheOrderOfWrites(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	id := file(t, db, newFiling(newCustomer(t, db, redress.TierStandard).ID, base))
	resolved := redress.State{Status: redress.StatusResolved, Priority: redress.P3}
	apply := func(seq int, state redress.State, e redress.TimelineEntry) {
		t.Helper()
		if err := db.ApplyChange(ctx, redress.Change{ComplaintID: id, Seq: seq, State: state,
			Timeline: []redress.TimelineEntry{e}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The resolution arrives first; the breach before it arrives late, in
	// words that name no deadline; the resolution is written again; a
	// second resolution comes later.
	apply(3, resolved, redress.TimelineEntry{At: base.Add(5 * time.Hour), Kind: redress.KindResolved, Detail: "Refunded"})
	apply(2, redress.State{Status: redress.StatusInProgress, Priority: redress.P3, SLABreached: true},
		redress.TimelineEntry{At: base.Add(3 * time.Hour), Kind: redress.KindSLABreached, Detail: "late", Breach: redress.BreachResolution})
	apply(3, resolved, redress.TimelineEntry{At: base.Add(5 * time.Hour), Kind: redress.KindResolved, Detail: "Refunded"})
	apply(4, resolved, redress.TimelineEntry{At: base.Add(8 * time.Hour), Kind: redress.KindResolved, Detail: "Again"})

	s, err := db.Summary(ctx, utcBasis, base, base.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s.ResolveSLACompliance == nil || *s.ResolveSLACompliance != 0 || s.AckSLACompliance != nil {
		t.Errorf("compliance: resolution %v, acknowledgement %v; want 0%% and not measured", s.ResolveSLACompliance, s.AckSLACompliance)
	}
	if s.TimeToResolve.Count != 1 || s.TimeToResolve.MeanSeconds == nil || *s.TimeToResolve.MeanSeconds != 5*3600 {
		t.Errorf("time to resolve = %+v; want one complaint, first resolved after 5 h", s.TimeToResolve)
	}
	c, err := db.Complaint(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var breaches []string
	for _, e := range c.Timeline {
		if e.Kind == redress.KindSLABreached {
			breaches = append(breaches, e.Breach)
		}
	}
	if len(breaches) != 1 || breaches[0] != redress.BreachResolution {
		t.Errorf("the breach lines name %v; want the resolution deadline once", breaches)
	}
}

// Complaints stored before outcomes were data get them from their lines'
// words when the schema moves on: the summary reads the same figures.
func TestMigrationFillsInOutcomes(t *testing.T) {
	ctx := context.Background()
	db, conn := olderSchema(t, 12)
	// One complaint breached its acknowledgement, was resolved twice and
	// reopened in between; the other breached its resolution.
	if _, err := conn.Exec(ctx, `
		INSERT INTO customers (id) VALUES ('00000000-0000-7000-8000-000000000001');
		INSERT INTO complaints (id, customer_id, status, priority, category, severity, channel, subject, description,
			created_at, acknowledged_at, tracking_token_hash) VALUES
		('00000000-0000-7000-8000-00000000000a', '00000000-0000-7000-8000-000000000001', 'closed', 'P3', 'delivery', 'low', 'web',
			's', 'd', '2026-11-02 08:00Z', '2026-11-03 10:00Z', 'a'),
		('00000000-0000-7000-8000-00000000000b', '00000000-0000-7000-8000-000000000001', 'in_progress', 'P3', 'delivery', 'low', 'web',
			's', 'd', '2026-11-02 09:00Z', '2026-11-02 10:00Z', 'b');
		INSERT INTO timeline (complaint_id, seq, at, actor, kind, public, detail, made_by) VALUES
		('00000000-0000-7000-8000-00000000000a', 2, '2026-11-03 08:00Z', 'system', 'sla_breached', false, 'SLA breached: acknowledgement overdue', 'system'),
		('00000000-0000-7000-8000-00000000000a', 3, '2026-11-03 12:00Z', 'x', 'resolved', true, '', 'key:x'),
		('00000000-0000-7000-8000-00000000000a', 4, '2026-11-03 13:00Z', 'x', 'reopened', true, '', 'customer link'),
		('00000000-0000-7000-8000-00000000000a', 5, '2026-11-03 20:00Z', 'x', 'resolved', true, '', 'key:x'),
		('00000000-0000-7000-8000-00000000000b', 2, '2026-11-05 09:00Z', 'system', 'sla_breached', false, 'SLA breached: resolution overdue', 'system')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s, err := db.Summary(ctx, utcBasis, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	pct := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	if pct(s.AckSLACompliance) != 50 || pct(s.ResolveSLACompliance) != 50 || pct(s.ReopenRate) != 100 ||
		s.TimeToResolve.Count != 1 || s.TimeToResolve.MeanSeconds == nil || *s.TimeToResolve.MeanSeconds != 28*3600 {
		t.Errorf("after the migration: ack %v%%, resolution %v%%, reopen %v%%, time to resolve %+v; want 50, 50, 100 and one of 28 h",
			pct(s.AckSLACompliance), pct(s.ResolveSLACompliance), pct(s.ReopenRate), s.TimeToResolve)
	}
}
