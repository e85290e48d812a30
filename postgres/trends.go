package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
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

// weeklyCompliance is the summary's SLA compliance per ISO week of filing
// in the zone $3.
const weeklyCompliance = windowComplaints + `SELECT date_trunc('week', c.created_at AT TIME ZONE $3)::date,` + slaCompliance + `
FROM c GROUP BY 1`

// Trends measures the complaints filed from from (inclusive) to to, by the
// days and weeks of zone, which must be a named zone PostgreSQL knows.
func (db *DB) Trends(ctx context.Context, from, to time.Time, zone *time.Location) (*Trends, error) {
	t := &Trends{}
	days := map[string]map[string]int{}
	for d := startOfDay(from, zone); d.Before(to); d = daysLater(d, 1) {
		t.Days = append(t.Days, DayVolume{Day: d, ByCategory: map[string]int{}})
		days[dateKey(d)] = t.Days[len(t.Days)-1].ByCategory
	}
	rows, err := db.pool.Query(ctx, `SELECT date_trunc('day', created_at AT TIME ZONE $3)::date, category, count(*)
		FROM complaints WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2`, from, to, zone.String())
	if err != nil {
		return nil, wrap(err)
	}
	var day time.Time
	var category string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&day, &category, &n}, func() error {
		if counts, ok := days[dateKey(day)]; ok { // PostgreSQL's zone data may differ from Go's at the window's ends
			counts[category] = n
		}
		return nil
	}); err != nil {
		return nil, wrap(err)
	}

	weeks := map[string]*WeekCompliance{}
	for w := startOfWeek(from, zone); w.Before(to); w = daysLater(w, 7) {
		t.Weeks = append(t.Weeks, WeekCompliance{Week: w})
	}
	for i := range t.Weeks {
		weeks[dateKey(t.Weeks[i].Week)] = &t.Weeks[i]
	}
	rows, err = db.pool.Query(ctx, weeklyCompliance, from, to, zone.String())
	if err != nil {
		return nil, wrap(err)
	}
	var week time.Time
	var ackMet, resolveMet int
	var measured WeekCompliance
	if _, err := pgx.ForEachRow(rows, []any{&week, &measured.AckMeasured, &ackMet, &measured.ResolveMeasured, &resolveMet}, func() error {
		w, ok := weeks[dateKey(week)]
		if !ok {
			return nil
		}
		w.AckMeasured, w.Ack = measured.AckMeasured, percent(ackMet, measured.AckMeasured)
		w.ResolveMeasured, w.Resolve = measured.ResolveMeasured, percent(resolveMet, measured.ResolveMeasured)
		return nil
	}); err != nil {
		return nil, wrap(err)
	}

	rows, err = db.pool.Query(ctx, `SELECT (c.survey->>'score')::int, count(*) FROM complaints c
		WHERE c.created_at >= $1 AND c.created_at < $2 AND c.`+answeredSurvey+` GROUP BY 1`, from, to)
	if err != nil {
		return nil, wrap(err)
	}
	var score int
	if _, err := pgx.ForEachRow(rows, []any{&score, &n}, func() error {
		if score >= 1 && score <= len(t.CSAT) {
			t.CSAT[score-1] = n
		}
		return nil
	}); err != nil {
		return nil, wrap(err)
	}

	if t.RootCauses, err = db.rootCauses(ctx, from, to, 0); err != nil {
		return nil, err
	}
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
