package postgres_test

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// floorSample is one random complaint of the supervisor's queries and what
// its timeline records.
type floorSample struct {
	id                string
	createdAt         time.Time
	category          redress.Category
	state             redress.State
	ackBreachLine     bool
	resolveBreachLine bool
	resolvedLine      bool
}

// floorInstants are the instants the samples' times are drawn from: each
// given instant, a second either side, and some minutes or hours away.
func floorInstants(rng *rand.Rand, around ...time.Time) func() time.Time {
	return func() time.Time {
		at := around[rng.IntN(len(around))]
		switch rng.IntN(5) {
		case 0:
			return at.Add(-time.Second)
		case 1:
			return at
		case 2:
			return at.Add(time.Second)
		case 3:
			return at.Add(time.Duration(rng.IntN(120)-60) * time.Minute)
		}
		return at.Add(time.Duration(rng.IntN(48)-24) * time.Hour)
	}
}

// seedFloor stores n random complaints: filed near local midnights of
// created, with deadlines, acknowledgements and resolutions near moment.
func seedFloor(t *testing.T, db *postgres.DB, rng *rand.Rand, n int, created []time.Time, moment time.Time) []floorSample {
	t.Helper()
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierStandard)
	filedAt := floorInstants(rng, created...)
	near := floorInstants(rng, moment)
	maybe := func(p float64) *time.Time {
		if rng.Float64() < p {
			v := near()
			return &v
		}
		return nil
	}
	assignees := []string{"", "ana@example.com", "bo@example.com", "chen@example.com"}
	surveys := []string{redress.SurveyPending, "sent", "answered", "expired"}
	var out []floorSample
	for range n {
		s := floorSample{createdAt: filedAt(), category: redress.Categories[rng.IntN(len(redress.Categories))],
			ackBreachLine: rng.IntN(3) == 0, resolveBreachLine: rng.IntN(5) == 0, resolvedLine: rng.IntN(5) < 2}
		s.state = redress.State{Status: redress.Statuses[rng.IntN(len(redress.Statuses))],
			Priority: redress.Priorities[rng.IntN(len(redress.Priorities))], EscalationLevel: rng.IntN(4),
			SLABreached: rng.IntN(4) == 0, Assignee: assignees[rng.IntN(len(assignees))],
			AckDueAt: maybe(0.5), ResolveDueAt: maybe(0.6), AcknowledgedAt: maybe(0.5), ResolvedAt: maybe(0.4),
			Survey: redress.Survey{Status: surveys[rng.IntN(len(surveys))]}}
		if s.state.Survey.Status == "answered" {
			score := 1 + rng.IntN(5)
			s.state.Survey.Score = &score
		}
		if rng.IntN(2) == 0 {
			s.state.Resolution = &redress.Resolution{Type: "refund", Summary: "s", RootCause: redress.RootCauses[rng.IntN(len(redress.RootCauses))]}
		}
		f := newFiling(cust.ID, s.createdAt)
		f.Complaint.Category = s.category
		s.id = file(t, db, f)
		var lines []redress.TimelineEntry
		line := func(kind, detail string) {
			lines = append(lines, redress.TimelineEntry{At: s.createdAt.Add(time.Duration(len(lines)+1) * time.Hour), Actor: "x", Kind: kind, Detail: detail})
		}
		if s.ackBreachLine {
			line("sla_breached", "SLA breached: "+redress.BreachAcknowledgement)
		}
		if s.resolveBreachLine {
			line("sla_breached", "SLA breached: "+redress.BreachResolution)
		}
		if s.resolvedLine {
			line("resolved", "")
		}
		ch := redress.Change{ComplaintID: s.id, Seq: 1 + max(1, len(lines)), State: s.state, Timeline: lines}
		if err := db.ApplyChange(ctx, ch, nil); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestWorkloadAndBreaches(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	shanghai := zone(t, "Asia/Shanghai")
	dayStart := time.Date(2026, 11, 2, 0, 0, 0, 0, shanghai)
	now := dayStart.Add(90 * time.Minute)
	rng := rand.New(rand.NewPCG(7, 11))
	samples := seedFloor(t, db, rng, 160, []time.Time{dayStart.AddDate(0, 0, -3)}, dayStart)

	type key struct {
		assignee string
		level    int
	}
	cells := map[key]*postgres.WorkloadCell{}
	since := func(at *time.Time) bool { return at != nil && !at.Before(dayStart) }
	for _, s := range samples {
		open := s.state.Status.Open()
		if !open && !since(s.state.AcknowledgedAt) && !since(s.state.ResolvedAt) {
			continue
		}
		k := key{s.state.Assignee, s.state.EscalationLevel}
		if cells[k] == nil {
			cells[k] = &postgres.WorkloadCell{Assignee: k.assignee, Level: k.level}
		}
		c := cells[k]
		c.Open += count(open)
		c.Breached += count(open && s.state.SLABreached)
		c.AcknowledgedToday += count(since(s.state.AcknowledgedAt))
		c.ResolvedToday += count(since(s.state.ResolvedAt))
	}
	var want []postgres.WorkloadCell
	for _, c := range cells {
		want = append(want, *c)
	}
	slices.SortFunc(want, func(a, b postgres.WorkloadCell) int {
		return cmp.Or(cmp.Compare(a.Assignee, b.Assignee), cmp.Compare(a.Level, b.Level))
	})
	got, err := db.Workload(ctx, dayStart)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("workload:\n got %+v\nwant %+v", got, want)
	}

	// The reference: open, breached or past its first running deadline;
	// the earliest deadline first, then the more urgent priority, then id.
	type breach struct {
		id       string
		due      time.Time
		priority redress.Priority
	}
	var breaches []breach
	for _, s := range samples {
		due := nextDue(s.state)
		if s.state.Status.Open() && (s.state.SLABreached || !due.After(now)) {
			breaches = append(breaches, breach{s.id, due, s.state.Priority})
		}
	}
	slices.SortFunc(breaches, func(a, b breach) int {
		return cmp.Or(a.due.Compare(b.due), cmp.Compare(a.priority, b.priority), cmp.Compare(a.id, b.id))
	})
	for _, limit := range []int{12, 500} {
		got, err := db.Breaches(ctx, now, limit)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs, wantIDs []string
		for _, c := range got {
			gotIDs = append(gotIDs, c.ID)
		}
		for _, b := range breaches[:min(limit, len(breaches))] {
			wantIDs = append(wantIDs, b.id)
		}
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("breaches (limit %d):\n got %v\nwant %v", limit, gotIDs, wantIDs)
		}
	}
	if len(breaches) <= 12 {
		t.Fatalf("only %d breaches: the cap is not tested", len(breaches))
	}
}

// nextDue is the complaint's first running deadline, the far future when
// none runs.
func nextDue(s redress.State) time.Time {
	due := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range []*time.Time{s.AckDueAt, s.ResolveDueAt} {
		if d != nil && d.Before(due) {
			due = *d
		}
	}
	return due
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
