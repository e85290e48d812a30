// Package slamodel is the reference model of Redress's clocks for tests:
// slow, plain and written apart from the code it checks. Its calendar walks
// time a minute at a time; its lifecycle steps from one event to the next
// by the rules of SPEC sections 2 and 3.
package slamodel

import (
	"time"

	"github.com/redress-dev/redress"
)

// Calendar counts SLA time minute by minute: a minute counts when, on a
// working day that is no holiday, the wall clock has reached the day's
// start and not yet its end. It finds those moments by scanning, never by
// building times from wall clocks. Times and durations must be whole
// minutes.
type Calendar struct {
	enabled    bool
	loc        *time.Location
	days       map[time.Weekday]bool
	start, end int // minutes after midnight, as the wall clock reads
	holidays   map[string]bool
	hours      map[string][2]time.Time // a day's working hours, once scanned
}

// NewCalendar builds the model of a zone's business hours; with business
// hours off it counts wall time.
func NewCalendar(loc *time.Location, bh redress.BusinessHours) *Calendar {
	c := &Calendar{enabled: bh.Enabled, loc: loc, days: map[time.Weekday]bool{}, holidays: map[string]bool{},
		hours: map[string][2]time.Time{}}
	names := map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
	for _, d := range bh.Days {
		c.days[names[d]] = true
	}
	for _, h := range bh.Holidays {
		c.holidays[h] = true
	}
	clock := func(s string) int { t, _ := time.Parse("15:04", s); return t.Hour()*60 + t.Minute() }
	c.start, c.end = clock(bh.Start), clock(bh.End)
	return c
}

// workingHours scans the minutes around a day for the first that reads the
// start time (or later) on that day, and the first after it that reads the
// end time or is no longer that day.
func (c *Calendar) workingHours(day string) (from, to time.Time) {
	if h, ok := c.hours[day]; ok {
		return h[0], h[1]
	}
	d, _ := time.Parse(time.DateOnly, day)
	reads := func(t time.Time) (sameDay bool, minute int) {
		l := t.In(c.loc)
		return l.Format(time.DateOnly) == day, l.Hour()*60 + l.Minute()
	}
	t := d.Add(-15 * time.Hour)
	for {
		if same, m := reads(t); same && m >= c.start {
			break
		}
		t = t.Add(time.Minute)
	}
	from = t
	for {
		if same, m := reads(t); !same || m >= c.end {
			break
		}
		t = t.Add(time.Minute)
	}
	c.hours[day] = [2]time.Time{from, t}
	return from, t
}

func (c *Calendar) working(t time.Time) bool {
	if !c.enabled {
		return true
	}
	l := t.In(c.loc)
	day := l.Format(time.DateOnly)
	if !c.days[l.Weekday()] || c.holidays[day] {
		return false
	}
	from, to := c.workingHours(day)
	return !t.Before(from) && t.Before(to)
}

// Add counts d of working time from start: whole minutes, then the seconds
// left inside the next working minute.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	t := start
	for !c.working(t) {
		t = t.Add(time.Minute)
	}
	for d >= time.Minute {
		if c.working(t) {
			d -= time.Minute
		}
		t = t.Add(time.Minute)
	}
	if d > 0 {
		for !c.working(t) {
			t = t.Add(time.Minute)
		}
		t = t.Add(d)
	}
	return t
}

// Between counts the working minutes from a to b.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	var n time.Duration
	for t := a; t.Before(b); t = t.Add(time.Minute) {
		if c.working(t) {
			n += time.Minute
		}
	}
	return n
}
