package api

import (
	"slices"
	"strconv"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales/localestest"
)

// Every word the pages and their handlers ask for is in every language's
// catalog.
func TestPagesAskOnlyForKnownWords(t *testing.T) {
	var uses localestest.Uses
	for _, lang := range redress.Languages {
		uses.InTemplates(t, newPageTemplates("UTC")[lang], "t")
	}
	uses.InSource(t, ".")
	var statuses, publicKinds, scores []string
	for _, s := range redress.Statuses {
		statuses = append(statuses, string(s))
	}
	for kind := range redress.TimelineKinds {
		if redress.PublicKind(kind) {
			publicKinds = append(publicKinds, kind)
		}
	}
	slices.Sort(publicKinds)
	for score := 1; score <= 5; score++ {
		scores = append(scores, strconv.Itoa(score))
	}
	uses.Check(t, map[string][]string{"pages.status_": statuses, "pages.kind_": publicKinds, "pages.score_": scores})
}
