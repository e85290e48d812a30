package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress/redresstest/hostzone"
	"github.com/redress-dev/redress/workflows"
)

// TestReplayRecordedHistories replays histories recorded from a real server
// (testdata/*.json), so that a change that would break complaints in flight
// fails here with a nondeterminism error. Under the first engine: the happy
// and longest paths, and two complaints caught in flight (breaches up the
// ladder, every agent action, a paused and resumed clock). Under the engine
// whose actions fire due deadlines first, one step at a time: the happy and
// longest paths again (*-steps.json). With actions' writes after saving and
// the window after a breach starting at the deadline: both again
// (*-breach-windows.json). With the waiting clocks, keyed actions and
// channels (*-waiting-clocks.json); with the look in PostgreSQL for a
// win-back under way before starting one (*-winback-once.json). A
// duplicate merged into the complaint it repeats (merged-duplicate.json).
// A gold customer's win-back after a breach, lost
// (winback-lost.json). A retention campaign that started a win-back
// (campaign.json). A complaint whose follow-up fell due and was recorded
// and whose low score offered a coupon (coupon-followup.json), the
// win-back its redemption won (winback-coupon-won.json), a customer's
// erasure with a complaint in flight (erasure.json), and the Loyalty and
// Retention workflows their Schedules start (loyalty.json, retention.json). To record a new generation, run
// `REDRESS_RECORD_HISTORIES=/tmp/histories make bench` and copy the files in
// under new names; never overwrite an older generation.
func TestReplayRecordedHistories(t *testing.T) {
	replayRecordedHistories(t)
}

// TestReplayOnAnotherHostZoneDatabase replays them on a host whose database
// moved Asia/Shanghai, their policy's zone, to Tokyo's time: deadlines read
// the zone database built into the worker, never the host's. (The recorded
// policies count wall time, so these histories replayed there before too;
// TestDeadlinesIgnoreTheHostZoneDatabase checks business hours.)
func TestReplayOnAnotherHostZoneDatabase(t *testing.T) {
	hostzone.Run(t, "../zoneinfo/zoneinfo.zip", "Asia/Shanghai", "Asia/Tokyo", replayRecordedHistories)
}

func replayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(workflows.Complaint, workflow.RegisterOptions{Name: "Complaint"})
			replayer.RegisterWorkflowWithOptions(workflows.Winback, workflow.RegisterOptions{Name: "Winback"})
			replayer.RegisterWorkflowWithOptions(workflows.Campaign, workflow.RegisterOptions{Name: "Campaign"})
			replayer.RegisterWorkflowWithOptions(workflows.Erasure, workflow.RegisterOptions{Name: "Erasure"})
			replayer.RegisterWorkflowWithOptions(workflows.Loyalty, workflow.RegisterOptions{Name: "Loyalty"})
			replayer.RegisterWorkflowWithOptions(workflows.Retention, workflow.RegisterOptions{Name: "Retention"})
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatalf("replaying %s: %v", file, err)
			}
		})
	}
}
