package redresstest

import "github.com/redress-dev/redress"

// LinesOf is the complaint's timeline lines of one kind, oldest first.
func LinesOf(c *redress.Complaint, kind string) []redress.TimelineEntry {
	var lines []redress.TimelineEntry
	for _, e := range c.Timeline {
		if e.Kind == kind {
			lines = append(lines, e)
		}
	}
	return lines
}
