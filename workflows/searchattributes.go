package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The search attributes of every complaint workflow (SPEC section 5), so the
// Web UI can answer `ComplaintPriority="P1" AND SLABreached=true`.
var (
	StatusKey          = temporal.NewSearchAttributeKeyKeyword("ComplaintStatus")
	PriorityKey        = temporal.NewSearchAttributeKeyKeyword("ComplaintPriority")
	CategoryKey        = temporal.NewSearchAttributeKeyKeyword("ComplaintCategory")
	CustomerTierKey    = temporal.NewSearchAttributeKeyKeyword("CustomerTier")
	EscalationLevelKey = temporal.NewSearchAttributeKeyInt64("EscalationLevel")
	SLABreachedKey     = temporal.NewSearchAttributeKeyBool("SLABreached")
)

// SearchAttributeKeys lists the keys the namespace must register.
var SearchAttributeKeys = []temporal.SearchAttributeKey{
	StatusKey, PriorityKey, CategoryKey, CustomerTierKey, EscalationLevelKey, SLABreachedKey,
}

// SearchAttributes are a complaint's attributes at the start of its workflow.
func SearchAttributes(in ComplaintInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		StatusKey.ValueSet(string(in.State.Status)),
		PriorityKey.ValueSet(string(in.State.Priority)),
		CategoryKey.ValueSet(string(in.Category)),
		CustomerTierKey.ValueSet(string(in.CustomerTier)),
		EscalationLevelKey.ValueSet(int64(in.State.EscalationLevel)),
		SLABreachedKey.ValueSet(in.State.SLABreached),
	)
}

// upsertSearchAttributes writes the attributes that changed since the last
// write; the ones fixed at intake were set when the workflow started.
func (wf *complaint) upsertSearchAttributes(ctx workflow.Context) error {
	current := workflow.GetTypedSearchAttributes(ctx)
	var updates []temporal.SearchAttributeUpdate
	if v, _ := current.GetKeyword(StatusKey); v != string(wf.state.Status) {
		updates = append(updates, StatusKey.ValueSet(string(wf.state.Status)))
	}
	if v, _ := current.GetKeyword(PriorityKey); v != string(wf.state.Priority) {
		updates = append(updates, PriorityKey.ValueSet(string(wf.state.Priority)))
	}
	if v, _ := current.GetInt64(EscalationLevelKey); v != int64(wf.state.EscalationLevel) {
		updates = append(updates, EscalationLevelKey.ValueSet(int64(wf.state.EscalationLevel)))
	}
	if v, ok := current.GetBool(SLABreachedKey); !ok || v != wf.state.SLABreached {
		updates = append(updates, SLABreachedKey.ValueSet(wf.state.SLABreached))
	}
	if len(updates) == 0 {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}
