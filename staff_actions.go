package redress

import "slices"

// StaffAction is something staff do to a complaint. The complaint's
// workflow refuses an action its status does not allow; the console offers
// only the allowed ones, from the same table.
type StaffAction string

// The staff actions.
const (
	ActionAcknowledge StaffAction = "acknowledge"
	ActionAssign      StaffAction = "assign"
	ActionReply       StaffAction = "reply" // a progress update to the customer, optionally waiting on them
	ActionNote        StaffAction = "note"  // an internal note
	ActionEscalate    StaffAction = "escalate"
	ActionResolve     StaffAction = "resolve"
	// ActionMerge ends a duplicate in the complaint it repeats; the
	// statuses it allows hold for both complaints.
	ActionMerge StaffAction = "merge"
)

// OpenStatuses are the statuses in which the complaint is being worked.
var OpenStatuses = []Status{StatusReceived, StatusAcknowledged, StatusInProgress, StatusWaitingOnCustomer, StatusReopened}

var actionStatuses = map[StaffAction][]Status{
	ActionAcknowledge: {StatusReceived, StatusReopened},
	ActionAssign:      OpenStatuses,
	ActionReply:       OpenStatuses,
	ActionEscalate:    OpenStatuses,
	ActionResolve:     OpenStatuses,
	ActionNote:        Statuses, // while the complaint's workflow runs, closed and surveyed included
	ActionMerge:       append(slices.Clone(OpenStatuses), StatusResolved),
}

// AllowedIn lists the statuses in which the action may be taken.
func (a StaffAction) AllowedIn() []Status { return actionStatuses[a] }

// Allows says whether the complaint's state allows the action: its status,
// and for an escalation a level below the top of the ladder.
func (s State) Allows(a StaffAction) bool {
	if a == ActionEscalate && s.EscalationLevel >= MaxEscalationLevel {
		return false
	}
	return slices.Contains(actionStatuses[a], s.Status)
}
