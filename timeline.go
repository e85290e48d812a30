package redress

import "slices"

// The kinds of timeline line. Whether the customer sees a line follows from
// its kind alone, so no view can show an internal line by mistake: the
// acknowledgement of a complaint, the progress notes, the resolution and the
// customer's own words are public; who was warned or notified, why a
// complaint was escalated, its root cause, assignments and the win-back are
// for staff only.
const (
	KindReceived            = "received"
	KindAcknowledged        = "acknowledged"
	KindAssigned            = "assigned"
	KindUpdate              = "update"
	KindNote                = "note" // an internal note between staff
	KindAckWarning          = "ack_warning"
	KindSLABreached         = "sla_breached"
	KindEscalated           = "escalated"
	KindEscalationReason    = "escalation_reason"
	KindEscalationExhausted = "escalation_exhausted"
	KindResolved            = "resolved"
	KindRootCause           = "root_cause"
	KindCustomerReply       = "customer_reply"
	KindReopened            = "reopened"
	KindClosed              = "closed"
	KindSurveySent          = "survey_sent"
	KindSurveyReminded      = "survey_reminded"
	KindWaitingReminded     = "waiting_reminded"
	KindSurveyExpired       = "survey_expired"
	KindSurveyAnswered      = "survey_answered"
	KindWinbackStarted      = "winback_started"
	KindWinbackSkipped      = "winback_skipped"
	KindWinbackOffered      = "winback_offered"
	KindWinbackWonBack      = "winback_won_back"
	KindWinbackLost         = "winback_lost"
	KindAttachment          = "attachment" // a file added to the complaint
	// A merge: the duplicate's last line names the complaint it goes on
	// in; the kept one's lines name where the rest came from.
	KindMerged        = "merged"
	KindMergedIn      = "merged_in"
	KindMergedMessage = "merged_message" // the duplicate's public words: its description, messages
	KindMergedNote    = "merged_note"    // the duplicate's internal lines and files
)

// TimelineKinds maps every kind of line to whether the customer sees it.
var TimelineKinds = map[string]bool{
	KindReceived: true, KindAcknowledged: true, KindUpdate: true, KindEscalated: true, KindResolved: true,
	KindCustomerReply: true, KindReopened: true, KindClosed: true, KindSurveyAnswered: true,
	KindMerged: true, KindMergedIn: true, KindMergedMessage: true,

	KindAssigned: false, KindNote: false, KindAckWarning: false, KindSLABreached: false, KindEscalationReason: false,
	KindEscalationExhausted: false, KindRootCause: false, KindSurveySent: false, KindSurveyReminded: false,
	KindSurveyExpired: false, KindWaitingReminded: false, KindWinbackStarted: false, KindWinbackSkipped: false, KindWinbackOffered: false,
	KindWinbackWonBack: false, KindWinbackLost: false, KindAttachment: false, KindMergedNote: false,
	KindFollowUpDue: false, KindFollowUp: false,
}

// Who made a change, beside the person a staff call names as its agent:
// the credential that authenticated it.
const (
	BySystem        = "system"        // a clock of the complaint's workflow
	ByCustomerLink  = "customer link" // the customer, through a tracking or survey link
	ByCustomerMail  = "customer mail" // the customer, by mail to the inbound listener
	ByCustomerForm  = "customer form" // the customer, through the public complaint form
	byKeyPrefix     = "key:"          // a staff API key, by its name
	byConsolePrefix = "user:"         // a person signed in to the console, by e-mail
)

// ByKey names a staff API key as the maker of a change.
func ByKey(name string) string { return byKeyPrefix + name }

// ByUser names a person signed in to the console as the maker of a change.
func ByUser(email string) string { return byConsolePrefix + email }

// PublicKind reports whether customers see lines of a kind; a kind not
// listed is internal.
func PublicKind(kind string) bool { return TimelineKinds[kind] }

// customerWords are the public kinds whose detail is written for the
// customer: messages, their own words, the resolution. The detail of the
// other public lines is staff's (who acknowledged, the priority a complaint
// was given), so customers see that such a line happened, not its words.
var customerWords = []string{KindUpdate, KindCustomerReply, KindResolved, KindReopened, KindSurveyAnswered, KindMergedMessage}

// CustomerReadsDetail reports whether the customer may read the detail of
// a public line of the kind.
func CustomerReadsDetail(kind string) bool { return slices.Contains(customerWords, kind) }
