package redress

import "time"

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
	// EventWaitingReminded reminds a customer that Redress waits for their
	// answer (policy waiting.remind_after).
	EventWaitingReminded = "complaint.waiting_reminded"
	// EventMerged tells that a complaint was merged into another of its
	// customer's (data: into), whose tracking link the customer follows.
	EventMerged = "complaint.merged"

	EventSurveySent     = "survey.sent"
	EventSurveyReminded = "survey.reminded"
	EventSurveyAnswered = "survey.answered"
	EventSurveyExpired  = "survey.expired"

	// EventPortalSignIn mails a customer the one-time link that signs them
	// in to the portal (/my).
	EventPortalSignIn = "portal.sign_in"

	// EventTierChanged tells that loyalty moved a customer's tier (data:
	// from, to, reason).
	EventTierChanged = "customer.tier_changed"

	EventWinbackOffered = "winback.offered"
	EventWinbackWonBack = "winback.won_back"
	EventWinbackLost    = "winback.lost"
	// EventWinbackFollowUp is the account team's follow-up task.
	EventWinbackFollowUp = "winback.follow_up"
)

// EventWebhookDisabled tells that a webhook endpoint was disabled after a
// day of failed deliveries (data: endpoint, host, failing_since).
const EventWebhookDisabled = "webhook.endpoint_disabled"

// EventTypes are every event type, which webhook endpoints subscribe to.
var EventTypes = []string{EventReceived, EventAcknowledged, EventAckWarning, EventEscalated, EventUpdated,
	EventResolved, EventReopened, EventClosed, EventCustomerReplied, EventWaitingReminded, EventMerged,
	EventFollowUpDue, EventSurveySent, EventSurveyReminded, EventSurveyAnswered, EventSurveyExpired, EventPortalSignIn,
	EventTierChanged, EventWinbackOffered, EventWinbackWonBack, EventWinbackLost, EventWinbackFollowUp, EventWebhookDisabled}
