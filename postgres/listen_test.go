package postgres_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// A change written through one process reaches a listener in another: each
// API replica hears every complaint's change, whoever wrote it.
func TestComplaintChangesReachEveryListener(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	writer, listener := redresstest.OpenDB(t, url), redresstest.OpenDB(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	heard := make(chan string, 16)
	go listener.ListenComplaintChanges(ctx, slog.New(slog.DiscardHandler), func(id string) { heard <- id })

	id := file(t, writer, newFiling(newCustomer(t, writer, redress.TierGold).ID, time.Now().UTC()))
	change := redress.Change{ComplaintID: id, Seq: 2, State: redress.State{Status: redress.StatusAcknowledged, Priority: redress.P2},
		Timeline: []redress.TimelineEntry{{At: time.Now(), Actor: "ana", Kind: redress.KindAcknowledged, Public: true}}}
	// The listener may connect after the filing; the change is written
	// until it is heard.
	deadline := time.After(10 * time.Second)
	for seq := 2; ; seq++ {
		change.Seq = seq
		if err := writer.ApplyChange(ctx, change, nil); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-heard:
			if got != id {
				t.Fatalf("heard %q; want %s", got, id)
			}
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("the listener never heard the change")
		}
	}
}
