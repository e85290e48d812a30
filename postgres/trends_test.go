package postgres_test

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// TestTrends files complaints around local midnights in two zones, on the
// days New York's clocks change and at the window's ends, and checks each
// series against one computed from the same samples, in each zone.
func TestTrends(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	zones := []*time.Location{zone(t, "Asia/Shanghai"), zone(t, "America/New_York")}
	days := []string{"2026-03-04", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-16",
		"2026-10-31", "2026-11-01", "2026-11-02", "2026-11-04"}
	var midnights []time.Time
	for _, loc := range zones {
		for _, d := range days {
			day, err := time.ParseInLocation(time.DateOnly, d, loc)
			if err != nil {
				t.Fatal(err)
			}
			midnights = append(midnights, day)
		}
	}
	rng := rand.New(rand.NewPCG(3, 5))
	samples := seedFloor(t, db, rng, 220, midnights, midnights[0])

	for _, loc := range zones {
		t.Run(loc.String(), func(t *testing.T) {
			from := time.Date(2026, 3, 4, 0, 0, 0, 0, loc)
			to := time.Date(2026, 11, 4, 0, 0, 0, 0, loc)
			got, err := db.Trends(ctx, postgres.Basis{Zone: loc, RepeatWithin: utcBasis.RepeatWithin}, from, to)
			if err != nil {
				t.Fatal(err)
			}

			// Calendar days counted on UTC dates, free of any zone's clock.
			var wantDays, wantWeeks []string
			for d := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
				wantDays = append(wantDays, d.Format(time.DateOnly))
				if w := isoWeek(d); len(wantWeeks) == 0 || wantWeeks[len(wantWeeks)-1] != w {
					wantWeeks = append(wantWeeks, w)
				}
			}
			volume := map[string]map[string]int{}
			type measured struct{ ackMet, ack, resolveMet, resolve int }
			weeks := map[string]*measured{}
			var csat [5]int
			causes := map[string]int{}
			inWindow := 0
			for _, s := range samples {
				if s.createdAt.Before(from) || !s.createdAt.Before(to) || s.state.Status == redress.StatusMerged {
					continue // a merged complaint counts as the one it went on in
				}
				inWindow++
				local := s.createdAt.In(loc)
				day := local.Format(time.DateOnly)
				if volume[day] == nil {
					volume[day] = map[string]int{}
				}
				volume[day][string(s.category)]++
				week := isoWeek(local)
				if weeks[week] == nil {
					weeks[week] = &measured{}
				}
				w := weeks[week]
				acked := s.state.AcknowledgedAt != nil
				w.ack += count(acked || s.ackBreachLine)
				w.ackMet += count(acked && !s.ackBreachLine)
				w.resolve += count(s.resolvedLine || s.resolveBreachLine)
				w.resolveMet += count(s.resolvedLine && !s.resolveBreachLine)
				if s.state.Survey.Status == "answered" {
					csat[*s.state.Survey.Score-1]++
				}
				if s.state.Resolution != nil {
					causes[s.state.Resolution.RootCause]++
				}
			}
			if inWindow == len(samples) || inWindow == 0 {
				t.Fatalf("%d of %d samples in the window: its ends are not tested", inWindow, len(samples))
			}

			if len(got.Days) != len(wantDays) {
				t.Fatalf("%d days, want %d", len(got.Days), len(wantDays))
			}
			for i, d := range got.Days {
				local := d.Day.In(loc)
				if local.Format(time.DateOnly) != wantDays[i] || local.Hour() != 0 || local.Minute() != 0 {
					t.Errorf("day %d starts at %s, want %s 00:00", i, local, wantDays[i])
				}
				if want := volume[wantDays[i]]; !maps.Equal(d.ByCategory, want) {
					t.Errorf("%s: %v, want %v", wantDays[i], d.ByCategory, want)
				}
			}

			if len(got.Weeks) != len(wantWeeks) {
				t.Fatalf("%d weeks, want %d", len(got.Weeks), len(wantWeeks))
			}
			for i, w := range got.Weeks {
				local := w.Week.In(loc)
				if isoWeek(local) != wantWeeks[i] || local.Weekday() != time.Monday || local.Hour() != 0 {
					t.Errorf("week %d starts at %s, want the Monday of %s", i, local, wantWeeks[i])
				}
				m := weeks[wantWeeks[i]]
				if m == nil {
					m = &measured{}
				}
				if w.AckMeasured != m.ack || !samePercent(w.Ack, m.ackMet, m.ack) ||
					w.ResolveMeasured != m.resolve || !samePercent(w.Resolve, m.resolveMet, m.resolve) {
					t.Errorf("week %s: ack %d %v, resolve %d %v; want %+v", wantWeeks[i],
						w.AckMeasured, deref(w.Ack), w.ResolveMeasured, deref(w.Resolve), *m)
				}
			}

			if got.CSAT != csat {
				t.Errorf("CSAT %v, want %v", got.CSAT, csat)
			}
			var wantCauses []postgres.RootCauseCount
			for cause, n := range causes {
				wantCauses = append(wantCauses, postgres.RootCauseCount{RootCause: cause, Count: n})
			}
			slices.SortFunc(wantCauses, func(a, b postgres.RootCauseCount) int {
				return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.RootCause, b.RootCause))
			})
			if !slices.Equal(got.RootCauses, wantCauses) {
				t.Errorf("root causes %v, want %v", got.RootCauses, wantCauses)
			}
		})
	}
}

// isoWeek names a date's ISO week, as Go's calendar counts it.
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// samePercent is whether p is part of whole as a percentage to a tenth, nil
// for nothing measured.
func samePercent(p *float64, part, whole int) bool {
	if whole == 0 {
		return p == nil
	}
	return p != nil && math.Abs(*p-float64(part)*100/float64(whole)) <= 0.05
}
