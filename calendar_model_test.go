package redress_test

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/redress-dev/redress"
)

// calendarModel is the obviously correct business calendar: it walks time
// minute by minute and asks of each minute whether the wall clock on a
// working day has reached the day's start and not yet its end. It finds
// those moments by scanning too, never by building times from wall clocks.
type calendarModel struct {
	loc        *time.Location
	days       map[time.Weekday]bool
	start, end int // minutes after midnight, as the wall clock reads
	holidays   map[string]bool
	hours      map[string][2]time.Time // a day's working hours, once scanned
}

func newCalendarModel(loc *time.Location, bh redress.BusinessHours) *calendarModel {
	m := &calendarModel{loc: loc, days: map[time.Weekday]bool{}, holidays: map[string]bool{}, hours: map[string][2]time.Time{}}
	names := map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
	for _, d := range bh.Days {
		m.days[names[d]] = true
	}
	for _, h := range bh.Holidays {
		m.holidays[h] = true
	}
	clock := func(s string) int { t, _ := time.Parse("15:04", s); return t.Hour()*60 + t.Minute() }
	m.start, m.end = clock(bh.Start), clock(bh.End)
	return m
}

// workingHours scans the minutes around a day for the first that reads the
// start time (or later) on that day, and the first after it that reads the
// end time or is no longer that day.
func (m *calendarModel) workingHours(day string) (from, to time.Time) {
	if h, ok := m.hours[day]; ok {
		return h[0], h[1]
	}
	d, _ := time.Parse(time.DateOnly, day)
	reads := func(t time.Time) (sameDay bool, minute int) {
		l := t.In(m.loc)
		return l.Format(time.DateOnly) == day, l.Hour()*60 + l.Minute()
	}
	t := d.Add(-15 * time.Hour)
	for {
		if same, min := reads(t); same && min >= m.start {
			break
		}
		t = t.Add(time.Minute)
	}
	from = t
	for {
		if same, min := reads(t); !same || min >= m.end {
			break
		}
		t = t.Add(time.Minute)
	}
	m.hours[day] = [2]time.Time{from, t}
	return from, t
}

func (m *calendarModel) working(t time.Time) bool {
	l := t.In(m.loc)
	day := l.Format(time.DateOnly)
	if !m.days[l.Weekday()] || m.holidays[day] {
		return false
	}
	from, to := m.workingHours(day)
	return !t.Before(from) && t.Before(to)
}

// add counts d of working minutes from start (both whole minutes).
func (m *calendarModel) add(start time.Time, d time.Duration) time.Time {
	t := start
	for !m.working(t) {
		t = t.Add(time.Minute)
	}
	for ; d > 0; t = t.Add(time.Minute) {
		if m.working(t) {
			d -= time.Minute
		}
	}
	return t
}

func (m *calendarModel) between(a, b time.Time) time.Duration {
	var n time.Duration
	for t := a; t.Before(b); t = t.Add(time.Minute) {
		if m.working(t) {
			n += time.Minute
		}
	}
	return n
}

// dstZones change their clocks in every way there is: an hour either way,
// half an hour (Lord Howe), at midnight (Santiago), and not at all.
var dstZones = []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Asia/Shanghai", "UTC"}

// dstDays are days on or next to the 2026 clock changes of those zones.
var dstDays = []time.Time{
	time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 4, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 5, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC),
}

// GenBusinessHours draws business hours whose edges often sit on or near a
// clock change.
func genBusinessHours(t *rapid.T, near time.Time) redress.BusinessHours {
	all := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	days := rapid.SliceOfNDistinct(rapid.SampledFrom(all), 1, 7, rapid.ID[string]).Draw(t, "days")
	startMin := rapid.IntRange(0, 23*60-15).Draw(t, "start") / 15 * 15
	endMin := rapid.IntRange(startMin+15, 24*60-1).Draw(t, "end") / 15 * 15
	if endMin <= startMin {
		endMin = startMin + 15
	}
	hhmm := func(m int) string { return time.Date(0, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04") }
	var holidays []string
	for range rapid.IntRange(0, 3).Draw(t, "holidays") {
		holidays = append(holidays, near.AddDate(0, 0, rapid.IntRange(-2, 10).Draw(t, "holiday")).Format(time.DateOnly))
	}
	return redress.BusinessHours{Enabled: true, Days: days, Start: hhmm(startMin), End: hhmm(endMin), Holidays: holidays}
}

func TestCalendarMatchesTheModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		zone := rapid.SampledFrom(dstZones).Draw(t, "zone")
		loc, _ := time.LoadLocation(zone)
		day := rapid.SampledFrom(dstDays).Draw(t, "day")
		bh := genBusinessHours(t, day)
		c, err := redress.NewCalendar(zone, bh)
		if err != nil {
			t.Fatal(err)
		}
		m := newCalendarModel(loc, bh)
		from := day.Add(time.Duration(rapid.IntRange(-24*60, 72*60).Draw(t, "from")) * time.Minute)
		d := time.Duration(rapid.IntRange(0, 30*60).Draw(t, "minutes")) * time.Minute
		if got, want := c.Add(from, d), m.add(from, d); !got.Equal(want) {
			t.Fatalf("Add(%s, %s) = %s, model says %s", from.In(loc), d, got.In(loc), want.In(loc))
		}
		to := from.Add(time.Duration(rapid.IntRange(0, 96*60).Draw(t, "span")) * time.Minute)
		if got, want := c.Between(from, to), m.between(from, to); got != want {
			t.Fatalf("Between(%s, %s) = %s, model says %s", from.In(loc), to.In(loc), got, want)
		}
	})
}
