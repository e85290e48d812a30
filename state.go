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
	// EventCustomerReplied is a customer's answer through the tracking page.
	EventCustomerReplied = "complaint.customer_replied"

	EventSurveySent     = "survey.sent"
	EventSurveyReminded = "survey.reminded"
	EventSurveyAnswered = "survey.answered"
	EventSurveyExpired  = "survey.expired"

	EventWinbackOffered = "winback.offered"
	EventWinbackWonBack = "winback.won_back"
	EventWinbackLost    = "winback.lost"
	// EventWinbackFollowUp is the account team's follow-up task.
	EventWinbackFollowUp = "winback.follow_up"
)

// WinbackChange is one step of a win-back flow as it shows on the complaint
// that triggered it. Its timeline lines are numbered from Seq in a range of
// their own, apart from the complaint workflow's steps.
type WinbackChange struct {
	ComplaintID string          `json:"complaint_id"`
	CustomerID  string          `json:"customer_id"`
	Seq         int             `json:"seq"`
	Winback     Winback         `json:"winback"`
	Timeline    []TimelineEntry `json:"timeline"`
	Events      []Event         `json:"events"`
}

// Purchase is a customer's purchase, reported by an intake system.
type Purchase struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Amount     float64   `json:"amount"`
	Currency   string    `json:"currency"`
	At         time.Time `json:"at"`
}

// The reasons an SLA breach gives, in the timeline and the escalation
// events; analytics tells acknowledgement breaches from resolution ones by
// them.
const (
	BreachAcknowledgement = "acknowledgement overdue"
	BreachResolution      = "resolution overdue"
)

// ChurnRisk is one customer's churn score, and what made it.
type ChurnRisk struct {
	CustomerID        string `json:"customer_id"`
	Tier              Tier   `json:"tier"`
	Score             int    `json:"score"`
	OpenComplaints    int    `json:"open_complaints"`
	LowScores         int    `json:"low_scores"`
	Escalations       int    `json:"escalations"`
	DaysSincePurchase *int   `json:"days_since_purchase"`
}
