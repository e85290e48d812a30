package redress

import (
	"fmt"
	"time"
)

// Calendar counts time the way SLA clocks do: wall time, or only working
// hours when business hours are enabled.
type Calendar struct {
	enabled  bool
	loc      *time.Location
	days     [7]bool
	start    time.Duration // offset of the working day's start from midnight
	end      time.Duration
	holidays map[string]bool // "2006-01-02" in the calendar's zone
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// NewCalendar builds the calendar of a time zone and business hours.
func NewCalendar(timezone string, bh BusinessHours) (*Calendar, error) {
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", timezone)
	}
	c := &Calendar{enabled: bh.Enabled, loc: loc, holidays: map[string]bool{}}
	for _, d := range bh.Days {
		wd, ok := weekdays[d]
		if !ok {
			return nil, fmt.Errorf("days: %q is not one of mon, tue, wed, thu, fri, sat, sun", d)
		}
		c.days[wd] = true
	}
	if c.start, err = clockOffset(bh.Start); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if c.end, err = clockOffset(bh.End); err != nil {
		return nil, fmt.Errorf("end: %w", err)
	}
	if bh.Enabled && c.end <= c.start {
		return nil, fmt.Errorf("end %s must come after start %s", bh.End, bh.Start)
	}
	if bh.Enabled && len(bh.Days) == 0 {
		return nil, fmt.Errorf("days: at least one working day is needed")
	}
	for _, h := range bh.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return nil, fmt.Errorf("holidays: %q is not a date like 2026-10-01", h)
		}
		c.holidays[h] = true
	}
	return c, nil
}

func clockOffset(hhmm string) (time.Duration, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time like 09:00", hhmm)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// workingInterval returns the working hours of the day that holds t, or
// ok=false when that day is not a working day.
func (c *Calendar) workingInterval(t time.Time) (from, to time.Time, ok bool) {
	local := t.In(c.loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, c.loc)
	if !c.days[local.Weekday()] || c.holidays[local.Format(time.DateOnly)] {
		return time.Time{}, time.Time{}, false
	}
	return midnight.Add(c.start), midnight.Add(c.end), true
}

func (c *Calendar) nextMidnight(t time.Time) time.Time {
	local := t.In(c.loc)
	return time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, c.loc)
}

// Add returns the moment d of counted time after start.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if !c.enabled {
		return start.Add(d)
	}
	t := start
	for {
		from, to, ok := c.workingInterval(t)
		if ok && t.Before(to) {
			if t.Before(from) {
				t = from
			}
			left := to.Sub(t)
			if d <= left {
				return t.Add(d).UTC()
			}
			d -= left
		}
		t = c.nextMidnight(t)
	}
}

// Between returns the counted time from a to b (zero when b is not after a).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if !c.enabled {
		return b.Sub(a)
	}
	var total time.Duration
	for t := a; t.Before(b); t = c.nextMidnight(t) {
		from, to, ok := c.workingInterval(t)
		if !ok {
			continue
		}
		if t.After(from) {
			from = t
		}
		if b.Before(to) {
			to = b
		}
		if to.After(from) {
			total += to.Sub(from)
		}
	}
	return total
}

// Clock returns the calendar an SLA clock of this priority counts in: P1
// always counts wall time.
func (p Policy) Clock(priority Priority) *Calendar {
	bh := p.BusinessHours
	if priority == P1 {
		bh.Enabled = false
	}
	c, err := NewCalendar(p.Timezone, bh)
	if err != nil {
		// Validate rejected such a policy before it was ever used.
		return &Calendar{loc: time.UTC}
	}
	return c
}
