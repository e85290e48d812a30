package redress

import (
	"testing"
	"time"
)

func shanghai(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
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
