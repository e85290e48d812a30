package console

import (
	"testing"
	"time"

	"github.com/redress-dev/redress"
)

// A list shows the first deadline, unless a later one is further along:
// an acknowledgement comfortably in time must not hide a resolution that is
// already in its warning share.
func TestListsShowTheMostUrgentClock(t *testing.T) {
	c := New(Options{Policy: redress.DefaultPolicy()})
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ack, resolve := now.Add(10*time.Hour), now.Add(17*time.Hour) // P3: warned 6 h and 30 h before
	s := redress.State{Status: redress.StatusReceived, Priority: redress.P3, AckDueAt: &ack, ResolveDueAt: &resolve}
	if got := c.nextClock(s, "", now); got.Kind != "resolve" || got.State(now) != "warned" {
		t.Errorf("shown %+v (%s); want the warned resolution clock", got, got.State(now))
	}
	earlier := now.Add(-20 * time.Hour)
	if got := c.nextClock(s, "", earlier); got.Kind != "ack" {
		t.Errorf("with neither warned, shown %s; want the first due", got.Kind)
	}
	s.Status = redress.StatusResolved
	if c.nextClock(s, "", now) != nil {
		t.Error("a resolved complaint shows a running clock")
	}
}

// A complaint under a tier's row of sla_by_tier is warned of in that row's
// windows, as its workflow warns: a diamond P3 acknowledged within 4 hours
// turns "due soon" in its last hour, where the sla table's 24 hours would
// have turned it 6 hours before. A row the policy has since dropped falls
// back to the sla table's.
func TestClocksKeepTheComplaintsSLARow(t *testing.T) {
	p := redress.DefaultPolicy()
	p.SLAByTier = map[redress.Tier]map[redress.Priority]redress.SLA{
		redress.TierDiamond: {redress.P3: {AckWithin: redress.Duration(4 * time.Hour)}},
	}
	c := New(Options{Policy: p})
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ack := now.Add(2 * time.Hour)
	s := redress.State{Status: redress.StatusReceived, Priority: redress.P3, AckDueAt: &ack}
	for _, tt := range []struct {
		row, want string
	}{
		{"sla_by_tier.diamond.P3", "on_track"}, // 2 h of 4 left: the last hour not yet reached
		{"sla.P3", "warned"},                   // 2 h of 24 left
		{"", "warned"},                         // filed before rows were recorded: the sla table's
		{"sla_by_tier.gold.P3", "warned"},      // a row the policy no longer has
	} {
		if got := c.nextClock(s, tt.row, now); got.State(now) != tt.want {
			t.Errorf("under %q the clock is %s; want %s", tt.row, got.State(now), tt.want)
		}
	}
	soon := now.Add(30 * time.Minute)
	s.AckDueAt = &soon
	if got := c.nextClock(s, "sla_by_tier.diamond.P3", now); got.State(now) != "warned" {
		t.Errorf("30 minutes before a diamond acknowledgement the clock is %s; want warned", got.State(now))
	}
}
