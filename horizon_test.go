package redress

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// A deadline at its horizon has exactly the warning share of its SLA row's
// window left, in counted time, and any earlier deadline less: the horizon
// is where breaching soon begins, for the sla table's rows and a tier's.
func TestWarningHorizonLeavesTheWarningShare(t *testing.T) {
	p := DefaultPolicy()
	p.SLAByTier = map[Tier]map[Priority]SLA{TierDiamond: {P2: {AckWithin: Duration(time.Hour)}, P4: {ResolveWithin: Duration(30 * time.Hour)}}}
	p.BusinessHours.Enabled = true
	p.BusinessHours.Holidays = []string{"2026-05-01", "2026-10-01"}
	calendars := map[Priority]*Calendar{}
	for _, priority := range Priorities {
		calendars[priority] = p.Clock(priority)
	}
	rapid.Check(t, func(t *rapid.T) {
		p.AckWarningAt = rapid.Float64Range(0.05, 0.95).Draw(t, "warning_at")
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rapid.Int64Range(0, 365*24*60).Draw(t, "minute")) * time.Minute)
		horizons := p.WarningHorizons(now, calendars)
		if len(horizons) != len(Priorities)+2 {
			t.Fatalf("%d horizons; want one per sla row and per sla_by_tier row", len(horizons))
		}
		for _, row := range p.SLARows() {
			priority, sla, cal := row.Priority, row.SLA, calendars[row.Priority]
			h := horizons[row.Name]
			for _, c := range []struct {
				name   string
				within time.Duration
				at     time.Time
			}{{"ack", sla.AckWithin.D(), h.Ack}, {"resolve", sla.ResolveWithin.D(), h.Resolve}} {
				share := time.Duration(float64(c.within) * (1 - p.AckWarningAt))
				if left := cal.Between(now, c.at); left != share {
					t.Fatalf("%s %s from %s: horizon %s leaves %s; want %s", priority, c.name, now, c.at, left, share)
				}
				if left := cal.Between(now, c.at.Add(-time.Second)); left >= share {
					t.Fatalf("%s %s from %s: a second before the horizon %s still leaves %s", priority, c.name, now, c.at, left)
				}
			}
		}
	})
}
