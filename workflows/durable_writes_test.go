package workflows_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
	"github.com/redress-dev/redress/workflows"
)

// An action's steps are written to PostgreSQL by regular activities, which
// start only once the history holds the action: a Temporal server lost
// before then leaves no write behind, and the client's retry writes the
// action once. A clock's own step, which a lost workflow task runs again
// under the same step number, is written by a local activity.
func TestActionWritesWaitForTheHistory(t *testing.T) {
	h := newHarness(t, redress.P3, redress.DefaultPolicy()) // warned at 18h
	var mu sync.Mutex
	var local, saved []string // the kinds of the lines each way wrote
	kinds := func(ch redress.Change) (k []string) {
		for _, e := range ch.Timeline {
			k = append(k, e.Kind)
		}
		return k
	}
	h.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, args []any) {
		if ch, ok := args[0].(redress.Change); ok && info.ActivityType.Name == activities.ApplyChangeName {
			mu.Lock()
			local = append(local, kinds(ch)...)
			mu.Unlock()
		}
	})
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		var ch redress.Change
		if info.ActivityType.Name == activities.ApplyChangeName && args.Get(&ch) == nil {
			mu.Lock()
			saved = append(saved, kinds(ch)...)
			mu.Unlock()
		}
	})
	ack := h.update(20*time.Hour, workflows.AcknowledgeUpdate, workflows.AcknowledgeInput{Agent: "ana"})
	note := h.update(21*time.Hour, workflows.NoteUpdate, workflows.NoteInput{Actor: "ana", Message: "Called the courier"})
	h.runUntil(22 * time.Hour)
	if err := ack(); err != nil {
		t.Fatal(err)
	}
	if err := note(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(local, redress.KindAckWarning) || slices.Contains(local, redress.KindAcknowledged) || slices.Contains(local, redress.KindNote) {
		t.Errorf("written by local activities: %v; want the warning alone", local)
	}
	if !slices.Contains(saved, redress.KindAcknowledged) || !slices.Contains(saved, redress.KindNote) || slices.Contains(saved, redress.KindAckWarning) {
		t.Errorf("written by regular activities: %v; want the acknowledgement and the note", saved)
	}
}
