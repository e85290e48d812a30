package redress

import (
	"testing"
	"time"
)

func shanghai(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := LoadZone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func businessCalendar(t *testing.T) *Calendar {
	t.Helper()
	c, err := NewCalendar("Asia/Shanghai", BusinessHours{Enabled: true, Days: []string{"mon", "tue", "wed", "thu", "fri"},
		Start: "09:00", End: "18:00", Holidays: []string{"2026-10-01"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCalendarAdd(t *testing.T) {
	c := businessCalendar(t)
	tests := []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		{"within the day", "2026-11-23 10:00", 2 * time.Hour, "2026-11-23 12:00"},
		{"spills into the next day", "2026-11-23 17:00", 2 * time.Hour, "2026-11-24 10:00"},
		{"before opening starts at opening", "2026-11-23 07:00", time.Hour, "2026-11-23 10:00"},
		{"friday evening runs to monday", "2026-11-27 17:30", time.Hour, "2026-11-30 09:30"},
		{"filed on a sunday", "2026-11-22 12:00", 24 * time.Hour, "2026-11-25 15:00"},
		{"skips a holiday", "2026-09-30 17:00", 2 * time.Hour, "2026-10-02 10:00"},
		{"ends exactly at closing", "2026-11-23 09:00", 9 * time.Hour, "2026-11-23 18:00"},
	}
	for _, tt := range tests {
		got := c.Add(shanghai(t, tt.start), tt.d)
		if want := shanghai(t, tt.want); !got.Equal(want) {
			t.Errorf("%s: Add(%s, %s) = %s, want %s", tt.name, tt.start, tt.d, got.In(want.Location()), want)
		}
	}
}

func TestCalendarBetweenUndoesAdd(t *testing.T) {
	c := businessCalendar(t)
	start := shanghai(t, "2026-11-20 16:10")
	for _, d := range []time.Duration{time.Minute, 3 * time.Hour, 24 * time.Hour, 72 * time.Hour} {
		end := c.Add(start, d)
		if got := c.Between(start, end); got != d {
			t.Errorf("Between(start, Add(start, %s)) = %s", d, got)
		}
	}
	if got := c.Between(shanghai(t, "2026-11-21 10:00"), shanghai(t, "2026-11-22 10:00")); got != 0 {
		t.Errorf("a weekend counts %s, want 0", got)
	}
}

func TestWallClock(t *testing.T) {
	p := DefaultPolicy()
	p.BusinessHours.Enabled = true
	start := shanghai(t, "2026-11-27 17:30") // a Friday evening
	if got, want := p.Clock(P1).Add(start, time.Hour), start.Add(time.Hour); !got.Equal(want) {
		t.Errorf("P1 counts wall time: got %s, want %s", got, want)
	}
	if got, want := p.Clock(P2).Add(start, time.Hour), shanghai(t, "2026-11-30 09:30"); !got.Equal(want) {
		t.Errorf("P2 counts business time: got %s, want %s", got, want)
	}
	p.BusinessHours.Enabled = false
	if got, want := p.Clock(P2).Add(start, time.Hour), start.Add(time.Hour); !got.Equal(want) {
		t.Errorf("disabled business hours count wall time: got %s, want %s", got, want)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The review's example: on the day New York springs forward the day has 23
// hours, so working hours must be read off the wall clock, not added to
// midnight.
func TestCalendarAcrossDaylightSaving(t *testing.T) {
	everyDay := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	tests := []struct {
		zone, start, end string
		from             string // wall time in the zone
		d                time.Duration
		want             string
	}{
		{"America/New_York", "09:00", "18:00", "2026-03-08 07:00", time.Hour, "2026-03-08 10:00"},
		{"America/New_York", "09:00", "18:00", "2026-11-01 07:00", time.Hour, "2026-11-01 10:00"},
		// 01:00-03:30 on the spring-forward day holds 1h30m of work: the
		// clock skips 02:00-03:00.
		{"America/New_York", "01:00", "03:30", "2026-03-08 01:00", 90 * time.Minute, "2026-03-08 03:30"},
		{"America/New_York", "01:00", "03:30", "2026-03-08 01:00", 91 * time.Minute, "2026-03-09 01:01"},
		// A working day that starts inside the skipped hour starts at the jump.
		{"America/New_York", "02:30", "04:00", "2026-03-08 00:00", 30 * time.Minute, "2026-03-08 03:30"},
		// On the fall-back day the first pass through 01:00-01:30 counts.
		{"America/New_York", "01:00", "01:30", "2026-11-01 00:00", 30 * time.Minute, "2026-11-01 01:30 EDT"},
		{"America/New_York", "01:00", "01:30", "2026-11-01 00:00", 31 * time.Minute, "2026-11-02 01:01"},
		// Lord Howe moves its clocks by half an hour.
		{"Australia/Lord_Howe", "01:00", "03:00", "2026-10-04 01:00", 90 * time.Minute, "2026-10-04 03:00"},
		{"Australia/Lord_Howe", "01:00", "03:00", "2026-04-05 01:00", 150 * time.Minute, "2026-04-05 03:00"},
		// Santiago's midnight does not exist on the day it springs forward.
		{"America/Santiago", "00:00", "02:00", "2026-09-05 23:00", time.Hour, "2026-09-06 02:00"},
	}
	for _, tt := range tests {
		loc := mustZone(t, tt.zone)
		c, err := NewCalendar(tt.zone, BusinessHours{Enabled: true, Days: everyDay, Start: tt.start, End: tt.end})
		if err != nil {
			t.Fatal(err)
		}
		from, err := time.ParseInLocation("2006-01-02 15:04", tt.from, loc)
		if err != nil {
			t.Fatal(err)
		}
		got := c.Add(from, tt.d).In(loc).Format("2006-01-02 15:04 MST")
		if len(tt.want) == len("2006-01-02 15:04") {
			got = got[:len(tt.want)]
		}
		if got != tt.want {
			t.Errorf("%s %s-%s: %s + %s = %s, want %s", tt.zone, tt.start, tt.end, tt.from, tt.d, got, tt.want)
		}
	}
}

// Found by make fuzz: on the day Santiago's midnight does not exist, a
// working day of 00:00-00:15 is skipped whole, so even a zero-length span
// starts on the next working day.
func TestCalendarSkipsADayItsClockSkips(t *testing.T) {
	loc := mustZone(t, "America/Santiago")
	c, err := NewCalendar("America/Santiago", BusinessHours{Enabled: true, Days: []string{"sun"}, Start: "00:00", End: "00:15"})
	if err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 9, 4, 20, 0, 0, 0, loc)
	want := time.Date(2026, 9, 13, 0, 0, 0, 0, loc)
	for _, d := range []time.Duration{0, time.Minute} {
		if got := c.Add(friday, d); !got.Equal(want.Add(d)) {
			t.Errorf("Add(%s, %s) = %s, want %s", friday, d, got.In(loc), want.Add(d))
		}
	}
	if got := c.Between(friday, want); got != 0 {
		t.Errorf("Between(%s, %s) = %s, want 0", friday, want, got)
	}
}
