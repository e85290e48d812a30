package slamodel

import (
	"time"

	"pgregory.net/rapid"

	"github.com/redress-dev/redress"
)

// DSTZones change their clocks in every way there is: an hour either way,
// half an hour (Lord Howe), at midnight (Santiago), and not at all.
var DSTZones = []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Asia/Shanghai", "UTC"}

// DSTDays are days on or next to the 2026 clock changes of those zones.
var DSTDays = []time.Time{
	time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 4, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 5, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC),
}

// GenBusinessHours draws business hours whose edges often sit on or near a
// clock change.
func GenBusinessHours(t *rapid.T, near time.Time) redress.BusinessHours {
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
