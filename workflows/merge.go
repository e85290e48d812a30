package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
)

// The two steps of merging a duplicate into the complaint it repeats: the
// kept complaint takes the duplicate's words first, then the duplicate
// ends. Neither touches the kept complaint's clocks.
const (
	AbsorbUpdate    = "absorb"
	MergeIntoUpdate = "merge_into"
)

// AbsorbInput is what the kept complaint takes of a duplicate merged into
// it: lines that name their origin.
type AbsorbInput struct {
	Actor string         `json:"actor"`
	From  string         `json:"from"` // the duplicate
	Lines []AbsorbedLine `json:"lines"`
	Attribution
}

// AbsorbedLine is one line of the duplicate's story, as the kept complaint
// records it: redress.KindMergedMessage for what the customer saw,
// redress.KindMergedNote for what was internal.
type AbsorbedLine struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// MergeIntoInput ends a duplicate in the complaint it goes on in.
type MergeIntoInput struct {
	Actor string `json:"actor"`
	Into  string `json:"into"`
	Attribution
}

func (wf *complaint) registerMerge(ctx workflow.Context) error {
	mergeable := func(action string) error { return wf.allow(action, redress.ActionMerge.AllowedIn()...) }
	return firstError(
		action(ctx, wf, AbsorbUpdate, func(in AbsorbInput) error {
			return firstError(required("merge into", in.From), mergeable("merge into"))
		}, wf.absorb),
		action(ctx, wf, MergeIntoUpdate, func(in MergeIntoInput) error {
			if in.Into == wf.in.ComplaintID {
				return temporal.NewApplicationError("a complaint cannot be merged into itself", ErrInvalidAction)
			}
			return firstError(required("merge", in.Into), mergeable("merge"))
		}, wf.mergeInto),
	)
}

// absorb records a duplicate's story on the kept complaint; no status or
// clock moves.
func (wf *complaint) absorb(ctx workflow.Context, in AbsorbInput) (redress.State, error) {
	wf.note(ctx, in.Actor, redress.KindMergedIn, "Complaint "+in.From+" was merged into this one")
	for _, l := range in.Lines {
		kind := redress.KindMergedNote
		if l.Kind == redress.KindMergedMessage {
			kind = redress.KindMergedMessage
		}
		wf.note(ctx, in.Actor, kind, l.Detail)
	}
	return wf.state, wf.commit(ctx)
}

// mergeInto ends the duplicate: every clock stops, no survey and no
// win-back follow, and the customer is told to follow the kept complaint.
func (wf *complaint) mergeInto(ctx workflow.Context, in MergeIntoInput) (redress.State, error) {
	wf.stopAckClock()
	wf.stopWaitingClocks()
	wf.state.ResolveDueAt, wf.book.ResolvePaused, wf.book.ResolveLeft = nil, false, 0
	wf.state.ResolvePausedAt, wf.state.ResolveLeftSeconds = nil, 0
	wf.book.ReopenDueAt = nil
	wf.cancelFollowUp()
	wf.state.Status, wf.state.MergedInto = redress.StatusMerged, in.Into
	wf.note(ctx, in.Actor, redress.KindMerged, "Merged into complaint "+in.Into+", where it goes on")
	wf.emit(ctx, redress.EventMerged, map[string]any{"into": in.Into})
	wf.done = true
	return wf.state, wf.commit(ctx)
}

// listenForCustomerMerges follows the complaint's customer when it is
// merged into another, and their tier when loyalty moves it.
func (wf *complaint) listenForCustomerMerges(ctx workflow.Context) {
	merges := workflow.GetSignalChannel(ctx, redress.CustomerChangedSignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var in redress.CustomerChanged
			merges.Receive(ctx, &in)
			if in.CustomerID == "" {
				continue
			}
			wf.in.CustomerID = in.CustomerID
			if in.Tier != "" && in.Tier != wf.in.CustomerTier {
				wf.in.CustomerTier = in.Tier
				_ = workflow.UpsertTypedSearchAttributes(ctx, CustomerTierKey.ValueSet(string(in.Tier)))
			}
		}
	})
}
