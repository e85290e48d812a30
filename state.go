package redress

import "encoding/json"

import "time"

// State is the part of a complaint that its workflow owns and changes. The
// workflow holds it, answers queries with it and projects it into PostgreSQL
// with every change.
type State struct {
	Status          Status     `json:"status"`
	Priority        Priority   `json:"priority"`
	EscalationLevel int        `json:"escalation_level"`
	SLABreached     bool       `json:"sla_breached"`
	Assignee        string     `json:"assignee"`
	AckDueAt        *time.Time `json:"ack_due_at"`
	ResolveDueAt    *time.Time `json:"resolve_due_at"`
	// While the complaint waits on the customer the resolution clock stands
	// still: since ResolvePausedAt, with ResolveLeftSeconds of counted time
	// left. Both are empty while it runs.
	ResolvePausedAt    *time.Time  `json:"resolve_paused_at,omitempty"`
	ResolveLeftSeconds int64       `json:"resolve_left_seconds,omitempty"`
	AcknowledgedAt     *time.Time  `json:"acknowledged_at"`
	ResolvedAt         *time.Time  `json:"resolved_at"`
	ClosedAt           *time.Time  `json:"closed_at"`
	Resolution         *Resolution `json:"resolution"`
	Survey             Survey      `json:"survey"`
	// MergedInto is the complaint a merged one goes on in.
	MergedInto string `json:"merged_into,omitempty"`
	// FollowUpDueAt is when the account team's follow-up of the resolution
	// falls due (policy followup), kept once set.
	FollowUpDueAt *time.Time `json:"followup_due_at,omitempty"`
}

// Change is one step of a complaint's history as its workflow records it: the
// state after the step, the timeline lines it adds and the events it emits.
// Seq numbers the steps so that a retried or late write never overwrites a
// newer one.
type Change struct {
	ComplaintID string `json:"complaint_id"`
	CustomerID  string `json:"customer_id"`
	Seq         int    `json:"seq"`
	State       State  `json:"state"`
	// SurveyRound, when set, asks for that survey round's token to be issued.
	SurveyRound int             `json:"survey_round,omitempty"`
	Timeline    []TimelineEntry `json:"timeline"`
	Events      []Event         `json:"events"`
	// UpdateID is the keyed Update (KeyedUpdateID) whose step this is; it
	// is stored with the step, so a retry in a later run is answered from
	// PostgreSQL.
	UpdateID string `json:"update_id,omitempty"`
	// Bookkeeping is the workflow's own record after the step (deadlines
	// the state does not show), kept so that a lost workflow can run again.
	Bookkeeping json.RawMessage `json:"bookkeeping,omitempty"`
}

// The reasons an SLA breach gives, in the timeline and the escalation
// events; analytics tells acknowledgement breaches from resolution ones by
// them.
const (
	BreachAcknowledgement = "acknowledgement overdue"
	BreachResolution      = "resolution overdue"
)
