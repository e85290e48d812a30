// Package redress holds the domain of the complaint-handling service: the
// complaint and its lifecycle, customers, the policy that sets every clock,
// and the errors the other packages speak. It imports nothing of ours.
package redress

import "time"

// Status is where a complaint stands in its lifecycle.
type Status string

// The statuses of SPEC section 2.
const (
	StatusReceived          Status = "received"
	StatusAcknowledged      Status = "acknowledged"
	StatusInProgress        Status = "in_progress"
	StatusWaitingOnCustomer Status = "waiting_on_customer"
	StatusResolved          Status = "resolved"
	StatusReopened          Status = "reopened"
	StatusClosed            Status = "closed"
	// StatusMerged ends a complaint that repeated another of its customer's:
	// its story goes on in that one (State.MergedInto). No survey follows.
	StatusMerged Status = "merged"
)

// Statuses lists every status, for validation and documentation.
var Statuses = []Status{StatusReceived, StatusAcknowledged, StatusInProgress,
	StatusWaitingOnCustomer, StatusResolved, StatusReopened, StatusClosed, StatusMerged}

// Open reports whether people still owe the customer work on the complaint.
func (s Status) Open() bool {
	switch s {
	case StatusReceived, StatusAcknowledged, StatusInProgress, StatusWaitingOnCustomer, StatusReopened:
		return true
	}
	return false
}

// Priority orders complaints; P1 is the most urgent.
type Priority string

// The four priorities.
const (
	P1 Priority = "P1"
	P2 Priority = "P2"
	P3 Priority = "P3"
	P4 Priority = "P4"
)

// Priorities lists every priority, most urgent first.
var Priorities = []Priority{P1, P2, P3, P4}

// Category is what the complaint is about.
type Category string

// The categories a complaint can carry.
const (
	CategoryProductQuality Category = "product_quality"
	CategorySafety         Category = "safety"
	CategoryService        Category = "service"
	CategoryDelivery       Category = "delivery"
	CategoryBilling        Category = "billing"
	CategoryPrivacy        Category = "privacy"
	CategoryOther          Category = "other"
)

// Categories lists every category.
var Categories = []Category{CategoryProductQuality, CategorySafety, CategoryService,
	CategoryDelivery, CategoryBilling, CategoryPrivacy, CategoryOther}

// Severity is how bad the caller says the problem is.
type Severity string

// The severities, mildest first.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities lists every severity.
var Severities = []Severity{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// Channel is how the complaint reached us.
type Channel string

// The intake channels.
const (
	ChannelWeb    Channel = "web"
	ChannelEmail  Channel = "email"
	ChannelPhone  Channel = "phone"
	ChannelChat   Channel = "chat"
	ChannelSocial Channel = "social"
	ChannelStore  Channel = "store"
)

// Channels lists every channel.
var Channels = []Channel{ChannelWeb, ChannelEmail, ChannelPhone, ChannelChat, ChannelSocial, ChannelStore}

// MaxEscalationLevel is the executive level, the top of the ladder.
const MaxEscalationLevel = 3

// Complaint is the record people query: what intake fixed, and the State
// that the complaint's workflow projects into PostgreSQL.
type Complaint struct {
	ID          string    `json:"id"`
	CustomerID  string    `json:"customer_id"`
	Category    Category  `json:"category"`
	Severity    Severity  `json:"severity"`
	Channel     Channel   `json:"channel"`
	Subject     string    `json:"subject"`
	Description string    `json:"description"`
	OrderRef    string    `json:"order_ref"`
	CreatedAt   time.Time `json:"created_at"`
	// PossibleDuplicateOf is an open complaint of the same customer that
	// this one looked like when it was filed: a flag for staff, never a
	// merge.
	PossibleDuplicateOf string `json:"possible_duplicate_of,omitempty"`
	// SLARow is the row of the policy whose windows the complaint's clocks
	// keep: "sla.P2", or "sla_by_tier.diamond.P2" for a tier's.
	SLARow string `json:"sla_row,omitempty"`
	// PolicyVersions are the published policies in force when the
	// complaint was filed, by name: the version the customer could read.
	PolicyVersions map[string]string `json:"policy_versions,omitempty"`
	// FollowUp is what the account team recorded of the follow-up that
	// followup_due_at scheduled.
	FollowUp *FollowUp `json:"followup,omitempty"`
	// FiledBy is who filed it: an API key's name, or the channel (email,
	// form). An intake key reads only the complaints it filed.
	FiledBy string `json:"filed_by"`
	State
	Winback  Winback         `json:"winback"`
	Timeline []TimelineEntry `json:"timeline"`
	// Attachments, oldest first, are read with one complaint; lists of
	// complaints leave them out (null).
	Attachments []Attachment `json:"attachments"`
}

// ResolutionTypes are the ways an agent can settle a complaint.
var ResolutionTypes = []string{"refund", "replacement", "repair", "credit", "apology", "explanation", "no_fault", ResolvedNoResponse}

// ResolvedNoResponse is the resolution of a complaint whose customer did not
// answer within the policy's waiting.close_after.
const ResolvedNoResponse = "no_response"

// RootCauses are what went wrong, as the resolving agent judges it.
var RootCauses = []string{"product_defect", "process_gap", "staff_behavior", "logistics", "billing_error",
	"customer_misunderstanding", "third_party", "other"}

// Resolution is how an agent settled the complaint.
type Resolution struct {
	Type         string        `json:"resolution_type"`
	Summary      string        `json:"summary"`
	RootCause    string        `json:"root_cause"`
	Compensation *Compensation `json:"compensation,omitempty"`
}

// Compensation is what the customer is given with a resolution: money,
// loyalty points, or both.
type Compensation struct {
	Amount   float64 `json:"amount,omitempty"`
	Currency string  `json:"currency,omitempty"`
	Points   int64   `json:"points,omitempty"`
}

// Survey statuses.
const (
	SurveyPending  = "pending" // the complaint is not closed yet
	SurveySent     = "sent"
	SurveyReminded = "reminded"
	SurveyAnswered = "answered"
	SurveyExpired  = "expired"
)

// Survey is the satisfaction survey sent when the complaint closes.
type Survey struct {
	Status  string `json:"status"`
	Score   *int   `json:"score"`
	Comment string `json:"comment"`
}

// TimelineEntry is one line of the complaint's audit trail.
type TimelineEntry struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"` // who acted: the agent a staff call names, "customer" or "system"
	// By is the credential that made the change (ByKey, ByUser,
	// ByCustomerLink, BySystem): what the caller could not have chosen.
	By     string `json:"by"`
	Kind   string `json:"kind"`
	Public bool   `json:"public"`
	Detail string `json:"detail"`
	// Breach, on an SLA breach's line, names the deadline that passed
	// (BreachAcknowledgement or BreachResolution), so that analytics count
	// it from data rather than from the detail's words.
	Breach string `json:"breach,omitempty"`
}

// ComplaintWorkflowID names the workflow that carries one complaint.
func ComplaintWorkflowID(complaintID string) string { return "complaint-" + complaintID }
