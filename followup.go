package redress

import (
	"slices"
	"time"
)

// FollowUpPolicy names the complaints whose customer the account team
// visits or calls after the resolution (SPEC section 13): those of the
// listed priorities, and those of customers of the listed tiers. Neither
// listed: no follow-ups.
type FollowUpPolicy struct {
	After      Duration   `yaml:"after" json:"after"`
	Priorities []Priority `yaml:"priorities" json:"priorities"`
	Tiers      []Tier     `yaml:"tiers" json:"tiers"`
}

// Applies tells whether a resolved complaint of the priority, for a
// customer of the tier, gets a follow-up.
func (f FollowUpPolicy) Applies(p Priority, t Tier) bool {
	return f.After > 0 && (slices.Contains(f.Priorities, p) || slices.Contains(f.Tiers, t))
}

// Follow-up outcomes, as the account team records them.
var FollowUpOutcomes = []string{"satisfied", "unsatisfied", "not_reached"}

// FollowUp is what the account team recorded of a complaint's follow-up.
type FollowUp struct {
	Outcome    string     `json:"outcome,omitempty"`
	Note       string     `json:"note,omitempty"`
	RecordedAt *time.Time `json:"recorded_at,omitempty"`
	RecordedBy string     `json:"recorded_by,omitempty"` // the credential that recorded it
}

// EventFollowUpDue tells the account team that a follow-up is due.
const EventFollowUpDue = "complaint.followup_due"

// KindFollowUpDue and KindFollowUp are a follow-up's timeline lines: due,
// and recorded (staff only).
const (
	KindFollowUpDue = "followup_due"
	KindFollowUp    = "followup"
)

func (f FollowUpPolicy) validate(bad func(field, format string, args ...any) error) error {
	if f.After < 0 {
		return bad("followup.after", "must not be negative")
	}
	if (len(f.Priorities) > 0 || len(f.Tiers) > 0) && f.After == 0 {
		return bad("followup.after", "must be positive when followup names priorities or tiers")
	}
	for _, p := range f.Priorities {
		if !slices.Contains(Priorities, p) {
			return bad("followup.priorities", "unknown priority %q (want P1 to P4)", p)
		}
	}
	for _, t := range f.Tiers {
		if !slices.Contains(Tiers, t) {
			return bad("followup.tiers", "unknown tier %q", t)
		}
	}
	return nil
}
