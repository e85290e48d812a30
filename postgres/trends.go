package postgres

import (
	"context"
	"strconv"
	"time"
)

// Trends are the analytics of a window over time, for the supervisor's
// charts. Complaints belong to the day and week they were filed in, read in
// a time zone; the measures are the summary's.
type Trends struct {
	Days       []DayVolume      // every day of the window, oldest first
	Weeks      []WeekCompliance // every ISO week the window touches, oldest first
	CSAT       [5]int           // answered surveys by score, 1 to 5
	RootCauses []RootCauseCount // every root cause, the most frequent first
}

// DayVolume counts the complaints filed on one day by category.
type DayVolume struct {
	Day        time.Time // the day's first instant in the zone
	ByCategory map[string]int
}

// WeekCompliance is the SLA compliance of the complaints filed in one week,
// as percentages; nil where none was measured.
type WeekCompliance struct {
	Week            time.Time // its Monday's first instant in the zone
	AckMeasured     int
	Ack             *float64
	ResolveMeasured int
	Resolve         *float64
}

// Trends measures the complaints filed from from (inclusive) to to, by the
// days and weeks of the basis's zone.
func (db *DB) Trends(ctx context.Context, basis Basis, from, to time.Time) (*Trends, error) {
	zone := basis.Zone
	t := &Trends{}
	days := map[string]map[string]int{}
	for d := startOfDay(from, zone); d.Before(to); d = daysLater(d, 1) {
		t.Days = append(t.Days, DayVolume{Day: d, ByCategory: map[string]int{}})
		days[dateKey(d)] = t.Days[len(t.Days)-1].ByCategory
	}
	weeks := map[string]*tally{}
	for w := startOfWeek(from, zone); w.Before(to); w = daysLater(w, 7) {
		t.Weeks = append(t.Weeks, WeekCompliance{Week: w})
		weeks[dateKey(w)] = &tally{}
	}
	cells, err := db.cells(ctx, basis, from, to, []string{"", "category", "csat_score", "root_cause"}, nil)
	if err != nil {
		return nil, err
	}
	rootCauses := map[string]int{}
	for i := range cells {
		c := &cells[i]
		day := c.start(zone)
		switch c.dimension {
		case "":
			if w, ok := weeks[dateKey(startOfWeek(day, zone))]; ok {
				w.add(c)
			}
		case "category":
			if counts, ok := days[dateKey(day)]; ok && c.complaints != 0 {
				counts[c.value] += int(c.complaints)
			}
		case "csat_score":
			if score, err := strconv.Atoi(c.value); err == nil && score >= 1 && score <= len(t.CSAT) {
				t.CSAT[score-1] += int(c.complaints)
			}
		case "root_cause":
			if c.value != "" {
				rootCauses[c.value] += int(c.complaints)
			}
		}
	}
	for i := range t.Weeks {
		w, n := &t.Weeks[i], weeks[dateKey(t.Weeks[i].Week)]
		w.AckMeasured, w.Ack = int(n.ackMeasured), percent(n.ackMet, n.ackMeasured)
		w.ResolveMeasured, w.Resolve = int(n.resolveMeasured), percent(n.resolveMet, n.resolveMeasured)
	}
	t.RootCauses = ranked(rootCauses, 0)
	return t, nil
}

// startOfDay is the first instant of t's day in zone; days are counted on
// the wall clock, so a day of a clock change is 23 or 25 hours long.
func startOfDay(t time.Time, zone *time.Location) time.Time {
	return daysLater(t.In(zone), 0)
}

// startOfWeek is the first instant of the Monday that begins t's ISO week.
func startOfWeek(t time.Time, zone *time.Location) time.Time {
	day := t.In(zone)
	return daysLater(day, -(int(day.Weekday())+6)%7)
}

// daysLater is the first instant of the day n days after t's, in t's zone.
func daysLater(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, t.Location())
}

// dateKey names a day as PostgreSQL's dates and the zone's days agree on.
func dateKey(t time.Time) string { return t.Format(time.DateOnly) }
