package console

import (
	"maps"
	"slices"
	"testing"
)

func TestSupervisorWordsInBothLanguages(t *testing.T) {
	en, zh := slices.Sorted(maps.Keys(supervisorWords["en"])), slices.Sorted(maps.Keys(supervisorWords["zh"]))
	if !slices.Equal(en, zh) {
		t.Errorf("the supervisor's words differ between languages:\n en %v\n zh %v", en, zh)
	}
}
