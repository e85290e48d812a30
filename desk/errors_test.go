package desk

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

// Every answer of Temporal that a caller can act on maps to a 4xx or a 503
// with a time to wait, never to a 500.
func TestTemporalErrorsMapToWhatACallerCanActOn(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		code      string
		waitsSome bool
	}{
		{"refused by the status", temporal.NewApplicationError("cannot resolve a closed complaint", workflows.ErrStatusConflict), redress.ECONFLICT, false},
		{"incomplete input", temporal.NewApplicationError("who?", workflows.ErrInvalidAction), redress.EINVALID, false},
		{"used survey", temporal.NewApplicationError("answered", workflows.ErrGone), redress.EGONE, false},
		{"server down", serviceerror.NewUnavailable("down"), redress.EUNAVAILABLE, false},
		{"slow server", context.DeadlineExceeded, redress.EUNAVAILABLE, false},
		{"server without its database", serviceerror.NewNamespaceNotFound("default"), redress.EUNAVAILABLE, false},
		{"too many Updates in flight", serviceerror.NewResourceExhausted(0, "limit on number of concurrent in-flight updates has been reached"), redress.ERATELIMITED, true},
		{"run limit reached", serviceerror.NewFailedPrecondition("limit on number of total updates has been reached"), redress.ECONFLICT, true},
	}
	for _, tt := range tests {
		got := TemporalError(tt.err)
		var e *redress.Error
		if !errors.As(got, &e) || e.Code != tt.code || (e.RetryAfter > 0) != tt.waitsSome {
			t.Errorf("%s: %v maps to %#v; want code %s, retry-after given %v", tt.name, tt.err, got, tt.code, tt.waitsSome)
		}
	}
}
