package console

import (
	"sort"
	"time"

	"github.com/redress-dev/redress"
)

// slaClock is one running SLA deadline as the pages show it: a countdown
// to Due that turns "due soon" at Warn, when the policy's warning share of
// its window has passed, and "overdue" at Due.
type slaClock struct {
	Kind string // "ack" or "resolve"
	Due  time.Time
	Warn time.Time
}

// State is the clock's colour at now.
func (k slaClock) State(now time.Time) string {
	switch {
	case !now.Before(k.Due):
		return "breached"
	case !now.Before(k.Warn):
		return "warned"
	}
	return "on_track"
}

// clocks are the complaint's running deadlines, the first due first,
// each warned of in the windows of the SLA row the complaint keeps (a
// tier's, when sla_by_tier gave it one).
func (c *Console) clocks(s redress.State, slaRow string) []slaClock {
	var out []slaClock
	sla := c.policy.Windows(redress.SLARowOf(slaRow, s.Priority), s.Priority)
	if s.AckDueAt != nil {
		out = append(out, c.clockFor("ack", s.Priority, *s.AckDueAt, sla.AckWithin.D()))
	}
	if s.ResolveDueAt != nil {
		out = append(out, c.clockFor("resolve", s.Priority, *s.ResolveDueAt, sla.ResolveWithin.D()))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// nextClock is the clock a list shows for a complaint: the first due,
// unless a later one is already further along (in its warning share while
// the first is not), nil when none runs (its clock paused, or it is no
// longer worked).
func (c *Console) nextClock(s redress.State, slaRow string, now time.Time) *slaClock {
	all := c.clocks(s, slaRow)
	if len(all) == 0 || !s.Status.Open() {
		return nil
	}
	shown := &all[0]
	for i := range all[1:] {
		if urgency[all[i+1].State(now)] > urgency[shown.State(now)] {
			shown = &all[i+1]
		}
	}
	return shown
}

var urgency = map[string]int{"on_track": 0, "warned": 1, "breached": 2}

func (c *Console) clockFor(kind string, p redress.Priority, due time.Time, window time.Duration) slaClock {
	left := time.Duration(float64(window) * (1 - c.policy.AckWarningAt))
	return slaClock{Kind: kind, Due: due, Warn: warnAt(c.calendars[p], due, left)}
}

// warnAt is the first moment from which no more than left of counted time
// remains until due: where the workflow's own warning falls, found by
// halving, since the calendar only counts forward.
func warnAt(cal *redress.Calendar, due time.Time, left time.Duration) time.Time {
	if left <= 0 {
		return due
	}
	lo, hi := due.Add(-left), due     // wall time counts at least as fast as business time
	if cal.Between(lo, due) == left { // no time off in between: exact
		return lo
	}
	for cal.Between(lo, due) < left {
		lo = lo.Add(-2 * (due.Sub(lo)))
		if due.Sub(lo) > 400*24*time.Hour { // a calendar with no working time left
			return lo
		}
	}
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if cal.Between(mid, due) <= left {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi.Truncate(time.Second)
}
