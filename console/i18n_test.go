package console

import (
	"strconv"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales/localestest"
	"github.com/redress-dev/redress/postgres"
)

// Every word the console's pages and handlers ask for is in every
// language's catalog.
func TestConsoleAsksOnlyForKnownWords(t *testing.T) {
	var uses localestest.Uses
	for _, set := range parseTemplates() {
		uses.InTemplates(t, set, "t", "tf")
	}
	uses.InSource(t, ".")
	var statuses, categories, channels, tiers, levels []string
	for _, s := range redress.Statuses {
		statuses = append(statuses, string(s))
	}
	for _, c := range redress.Categories {
		categories = append(categories, string(c))
	}
	for _, c := range redress.Channels {
		channels = append(channels, string(c))
	}
	for _, tier := range redress.Tiers {
		tiers = append(tiers, string(tier))
	}
	for l := 0; l <= redress.MaxEscalationLevel; l++ {
		levels = append(levels, strconv.Itoa(l))
	}
	uses.Check(t, map[string][]string{
		"console.status_":   statuses,
		"console.category_": categories,
		"console.channel_":  channels,
		"console.tier_":     tiers,
		"console.level_":    levels,
		"console.queue_":    postgres.Queues,
		"console.cause_":    redress.RootCauses,
		"console.points_":   postgres.PointsKinds,
		"console.followup_": redress.FollowUpOutcomes,
		// A clock's kind and its state (slaClock).
		"console.clock_": {"ack", "resolve", "on_track", "warned", "breached"},
	})
}
