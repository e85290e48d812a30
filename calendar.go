package redress

import (
	"fmt"
	"time"
)

// Calendar counts time the way SLA clocks do: wall time, or only working
// hours when business hours are enabled.
//
// A working day runs from the first moment the zone's wall clock reads the
// start time to the first moment it reads the end time. On a day when the
// clock skips a time (a daylight-saving gap, or a zone whose midnight does
// not exist) the skipped time is read at the jump; on a day when the clock
// repeats an hour, the first pass counts.
type Calendar struct {
	enabled  bool
	loc      *time.Location
	days     [7]bool
	start    wallClock
	end      wallClock
	holidays map[string]bool // "2006-01-02" in the calendar's zone
}

// wallClock is a time of day as a clock on the wall shows it.
type wallClock struct{ hour, minute int }

// date is a day of the calendar's zone.
type date struct {
	year  int
	month time.Month
	day   int
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// NewCalendar builds the calendar of a time zone and business hours.
func NewCalendar(timezone string, bh BusinessHours) (*Calendar, error) {
	loc, err := LoadZone(timezone)
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
	if c.start, err = parseWallClock(bh.Start); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if c.end, err = parseWallClock(bh.End); err != nil {
		return nil, fmt.Errorf("end: %w", err)
	}
	if bh.Enabled && !c.start.before(c.end) {
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

func parseWallClock(hhmm string) (wallClock, error) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return wallClock{}, fmt.Errorf("%q is not a time like 09:00", hhmm)
	}
	return wallClock{t.Hour(), t.Minute()}, nil
}

func (w wallClock) before(o wallClock) bool {
	return w.hour < o.hour || w.hour == o.hour && w.minute < o.minute
}

func (c *Calendar) dateOf(t time.Time) date {
	y, m, d := t.In(c.loc).Date()
	return date{y, m, d}
}

// next is the following day. Noon exists on every day that exists, so no
// daylight-saving change can make this stay on the same day or skip one.
func (c *Calendar) next(d date) date {
	return c.dateOf(time.Date(d.year, d.month, d.day+1, 12, 0, 0, 0, c.loc))
}

// firstReading is the first moment at which the wall clock reads at least w
// on day d. time.Date alone will not do: inside a gap or a repeated hour it
// picks either side, depending on the zone.
func (c *Calendar) firstReading(d date, w wallClock) time.Time {
	wall := time.Date(d.year, d.month, d.day, w.hour, w.minute, 0, 0, time.UTC)
	var first, latest time.Time
	for _, probe := range []time.Duration{-24 * time.Hour, 0, 24 * time.Hour} {
		// The moment sought lies within 14 hours of wall read as UTC, so
		// these probes see the offsets on both sides of any change near it.
		_, offset := wall.Add(probe).In(c.loc).Zone()
		candidate := wall.Add(-time.Duration(offset) * time.Second)
		if latest.IsZero() || candidate.After(latest) {
			latest = candidate
		}
		if _, actual := candidate.In(c.loc).Zone(); actual == offset && (first.IsZero() || candidate.Before(first)) {
			first = candidate
		}
	}
	if !first.IsZero() {
		return first
	}
	// No moment reads w: the clock jumps over it, at the start of the
	// period that the latest candidate falls in.
	jump, _ := latest.In(c.loc).ZoneBounds()
	return jump
}

// workingHours returns day d's working hours, or ok=false when d is not a
// working day.
func (c *Calendar) workingHours(d date) (from, to time.Time, ok bool) {
	key := fmt.Sprintf("%04d-%02d-%02d", d.year, d.month, d.day)
	weekday := time.Date(d.year, d.month, d.day, 12, 0, 0, 0, time.UTC).Weekday()
	if !c.days[weekday] || c.holidays[key] {
		return time.Time{}, time.Time{}, false
	}
	return c.firstReading(d, c.start), c.firstReading(d, c.end), true
}

// Add returns the moment d of counted time after start.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if !c.enabled {
		return start.Add(d)
	}
	t := start
	for day := c.dateOf(start); ; day = c.next(day) {
		from, to, ok := c.workingHours(day)
		// A day whose hours the clock skips entirely has none to count.
		if !ok || !from.Before(to) || !t.Before(to) {
			continue
		}
		if t.Before(from) {
			t = from
		}
		if left := to.Sub(t); d <= left {
			return t.Add(d).UTC()
		} else {
			d -= left
		}
		t = to
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
	last := c.dateOf(b)
	for day := c.dateOf(a); ; day = c.next(day) {
		if from, to, ok := c.workingHours(day); ok {
			from, to = later(from, a), earlier(to, b)
			if to.After(from) {
				total += to.Sub(from)
			}
		}
		if day == last {
			return total
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Clock returns the calendar an SLA clock of this priority counts in: P1
// always counts wall time. It panics for a policy that Validate refuses.
func (p Policy) Clock(priority Priority) *Calendar {
	bh := p.BusinessHours
	if priority == P1 {
		bh.Enabled = false
	}
	c, err := NewCalendar(p.Timezone, bh)
	if err != nil {
		// Validate refuses such a policy, and zones come with the binary, so
		// only a worker with an older zone database than the one that
		// validated it gets here. Counting in UTC would move every deadline
		// silently; a panic fails the workflow task instead (the worker's
		// default panic policy), which Temporal retries, so the complaint
		// waits in plain sight for a worker that knows the zone.
		panic(fmt.Sprintf("policy: %v", err))
	}
	return c
}

// Horizon is, for one row of SLA windows, how near a deadline puts a
// complaint inside the policy's warning share: an acknowledgement due by
// Ack, or a resolution due by Resolve.
type Horizon struct {
	Ack, Resolve time.Time
}

// WarningHorizons are, per row of SLA windows (SLARows: the sla table's and
// sla_by_tier's, by name), where the warning share of its windows (their
// last 1 - AckWarningAt) reaches from now, counted in the priority's
// calendar. A complaint with a deadline before its row's horizon is
// breaching soon. calendars are the policy's Clock per priority, which a
// caller builds once: a calendar loads its time zone.
func (p Policy) WarningHorizons(now time.Time, calendars map[Priority]*Calendar) map[string]Horizon {
	share := 1 - p.AckWarningAt
	by := map[string]Horizon{}
	for _, row := range p.SLARows() {
		cal := calendars[row.Priority]
		by[row.Name] = Horizon{Ack: cal.Add(now, time.Duration(float64(row.SLA.AckWithin.D())*share)),
			Resolve: cal.Add(now, time.Duration(float64(row.SLA.ResolveWithin.D())*share))}
	}
	return by
}
