package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress/workflows"
)

// TestReplayRecordedHistories replays histories recorded from a real server
// (testdata/*.json): two complete lifecycles (the happy path and the longest
// path, recorded by `REDRESS_RECORD_HISTORIES=$PWD/workflows/testdata make
// bench`) and two complaints caught in flight under an earlier version of
// the workflow (breaches up the ladder, every agent action, a paused and
// resumed clock). A change that would break complaints in flight fails here
// with a nondeterminism error.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(workflows.Complaint, workflow.RegisterOptions{Name: "Complaint"})
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatalf("replaying %s: %v", file, err)
			}
		})
	}
}
