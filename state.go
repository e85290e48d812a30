package redress

import "time"

// State is the part of a complaint that its workflow owns and changes. The
// workflow holds it, answers queries with it and projects it into PostgreSQL
// with every change.
type State struct {
	Status          Status      `json:"status"`
	Priority        Priority    `json:"priority"`
	EscalationLevel int         `json:"escalation_level"`
	SLABreached     bool        `json:"sla_breached"`
	Assignee        string      `json:"assignee"`
	AckDueAt        *time.Time  `json:"ack_due_at"`
	ResolveDueAt    *time.Time  `json:"resolve_due_at"`
	AcknowledgedAt  *time.Time  `json:"acknowledged_at"`
	ResolvedAt      *time.Time  `json:"resolved_at"`
	ClosedAt        *time.Time  `json:"closed_at"`
	Resolution      *Resolution `json:"resolution"`
	Survey          Survey      `json:"survey"`
	Winback         Winback     `json:"winback"`
}

// Change is one step of a complaint's history as its workflow records it: the
// state after the step, the timeline lines it adds and the events it emits.
// Seq numbers the steps so that a retried or late write never overwrites a
// newer one.
type Change struct {
	ComplaintID string          `json:"complaint_id"`
	CustomerID  string          `json:"customer_id"`
	Seq         int             `json:"seq"`
	State       State           `json:"state"`
	Timeline    []TimelineEntry `json:"timeline"`
	Events      []Event         `json:"events"`
}

// Event is a message for integrators and customers (SPEC section 7), kept in
// the outbox until it is delivered.
type Event struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	OccurredAt  time.Time      `json:"occurred_at"`
	ComplaintID string         `json:"complaint_id"`
	CustomerID  string         `json:"customer_id"`
	Data        map[string]any `json:"data"`
}

// The event types of SPEC section 7 that the complaint workflow emits.
const (
	EventReceived     = "complaint.received"
	EventAcknowledged = "complaint.acknowledged"
	EventAckWarning   = "complaint.ack_warning"
	EventEscalated    = "complaint.escalated"
	EventUpdated      = "complaint.updated"
	EventResolved     = "complaint.resolved"
	EventReopened     = "complaint.reopened"
	EventClosed       = "complaint.closed"
)
