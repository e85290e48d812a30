package e2e

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress/redresstest"
)

// A failure's message can quote a customer (a refusal naming what they
// wrote, a database error holding a value): Redress's clients encode the
// messages and stack traces of failures as they encode payloads, so a
// history read without the keys holds none of it, while Redress's own
// client still reads the message.
func TestFailuresReachHistoriesEncrypted(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	const secret = "王芳 wrote: my phone is 138-0000-1111"
	w := sdkworker.New(s.Temporal, "failure-check", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(func(workflow.Context) error {
		return temporal.NewApplicationError(secret, "Refused")
	}, workflow.RegisterOptions{Name: "FailsWithACustomersWords"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "failure-check", TaskQueue: "failure-check"}, "FailsWithACustomersWords")
	if err != nil {
		t.Fatal(err)
	}
	var appErr *temporal.ApplicationError
	if err := run.Get(ctx, nil); !errors.As(err, &appErr) || appErr.Message() != secret {
		t.Errorf("Redress's client reads the failure as %v; want the message back", err)
	}

	raw, err := client.Dial(client.Options{HostPort: s.Config.TemporalAddress, Namespace: "default"}) // no keys
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	it := raw.GetWorkflowHistory(ctx, "failure-check", "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	failed := false
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := e.Marshal()
		if bytes.Contains(b, []byte("138-0000-1111")) {
			t.Errorf("event %d (%s) holds the failure's message in clear", e.EventId, e.EventType)
		}
		if a := e.GetWorkflowExecutionFailedEventAttributes(); a != nil {
			failed = a.Failure.GetEncodedAttributes() != nil
		}
	}
	if !failed {
		t.Error("the failure carries no encoded attributes")
	}
}
