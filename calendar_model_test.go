package redress_test

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest/slamodel"
)

func TestCalendarMatchesTheModel(t *testing.T) {
	slamodel.Checks(300)
	rapid.Check(t, func(t *rapid.T) {
		zone := rapid.SampledFrom(slamodel.DSTZones).Draw(t, "zone")
		loc, _ := redress.LoadZone(zone)
		day := rapid.SampledFrom(slamodel.DSTDays).Draw(t, "day")
		bh := slamodel.GenBusinessHours(t, day)
		c, err := redress.NewCalendar(zone, bh)
		if err != nil {
			t.Fatal(err)
		}
		m := slamodel.NewCalendar(loc, bh)
		from := day.Add(time.Duration(rapid.IntRange(-24*60, 72*60).Draw(t, "from")) * time.Minute)
		d := time.Duration(rapid.IntRange(0, 30*60).Draw(t, "minutes")) * time.Minute
		if got, want := c.Add(from, d), m.Add(from, d); !got.Equal(want) {
			t.Fatalf("Add(%s, %s) = %s, model says %s", from.In(loc), d, got.In(loc), want.In(loc))
		}
		to := from.Add(time.Duration(rapid.IntRange(0, 96*60).Draw(t, "span")) * time.Minute)
		if got, want := c.Between(from, to), m.Between(from, to); got != want {
			t.Fatalf("Between(%s, %s) = %s, model says %s", from.In(loc), to.In(loc), got, want)
		}
	})
}
