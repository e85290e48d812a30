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
	if got := c.nextClock(s, now); got.Kind != "resolve" || got.State(now) != "warned" {
		t.Errorf("shown %+v (%s); want the warned resolution clock", got, got.State(now))
	}
	earlier := now.Add(-20 * time.Hour)
	if got := c.nextClock(s, earlier); got.Kind != "ack" {
		t.Errorf("with neither warned, shown %s; want the first due", got.Kind)
	}
	s.Status = redress.StatusResolved
	if c.nextClock(s, now) != nil {
		t.Error("a resolved complaint shows a running clock")
	}
}
