package redress

import (
	"strings"
	"time"
)

// Win-back statuses and outcomes.
const (
	WinbackOffered  = "offered"
	WinbackFinished = "finished"
	WinbackWonBack  = "won_back"
	WinbackLost     = "lost"
)

// Winback is the retention flow started for an unhappy customer.
type Winback struct {
	Status  string `json:"status"`
	Offer   string `json:"offer"`
	Outcome string `json:"outcome"`
}

// WinbackWorkflowID names the win-back workflow of a customer: one id per
// customer is what keeps at most one running at a time.
func WinbackWorkflowID(customerID string) string { return "winback-" + customerID }

// WinbackEventID names an event of one win-back run. Migration 0005 reads
// the run back from the ids of events written before it.
func WinbackEventID(customerID, runID, eventType string) string {
	return WinbackWorkflowID(customerID) + "-" + runID + "-" + eventType
}

// WinbackChange is one step of a win-back flow: the customer's record of
// the run and, when a complaint triggered it, how it shows on that
// complaint, whose timeline lines are numbered from Seq in a range of their
// own, apart from the complaint workflow's steps.
type WinbackChange struct {
	ComplaintID string          `json:"complaint_id"` // empty for a campaign's
	CustomerID  string          `json:"customer_id"`
	RunID       string          `json:"run_id"` // the win-back workflow's run: one record each
	Reason      string          `json:"reason"`
	StartedAt   time.Time       `json:"started_at"`
	At          time.Time       `json:"at"` // of this step; a finished win-back's end
	Seq         int             `json:"seq"`
	Winback     Winback         `json:"winback"`
	Timeline    []TimelineEntry `json:"timeline"`
	Events      []Event         `json:"events"`
	Tier        Tier            `json:"tier,omitempty"`   // the tier the offer was made for
	Coupon      *Coupon         `json:"coupon,omitempty"` // the offer's coupon, on its first step
}

// Coupon is a win-back's coupon: a code the customer gives at the till,
// good once until the win-back's window ends.
type Coupon struct {
	Code      string    `json:"code"`
	Percent   float64   `json:"percent"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CouponAlphabet is what coupon codes are written in: no 0/O or 1/I to
// misread.
const CouponAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NormalizeCouponCode is a code as the customer may type it: any case,
// with spaces or dashes.
func NormalizeCouponCode(code string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(code))
}

// WinbackRecord is one win-back run of a customer, a campaign's or a
// complaint's.
type WinbackRecord struct {
	RunID       string     `json:"run_id"`
	ComplaintID *string    `json:"complaint_id"` // null for a campaign's
	Reason      string     `json:"reason"`
	Offer       string     `json:"offer"`
	Status      string     `json:"status"`
	Outcome     string     `json:"outcome,omitempty"`
	Coupon      *Coupon    `json:"coupon,omitempty"`
	CouponUsed  *time.Time `json:"coupon_redeemed_at,omitempty"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
}

// WinsBack is the one rule by which a purchase ends a win-back as won back,
// however it arrives (a signal, or the last look in the database): made
// between the offer and within after it. Purchases are often reported to
// the second, so the offer's own second counts.
func WinsBack(offeredAt time.Time, within time.Duration, purchasedAt time.Time) bool {
	from, until := WinbackWindow(offeredAt, within)
	return !purchasedAt.Before(from) && !purchasedAt.After(until)
}

// WinbackWindow is when a purchase wins a customer back after an offer made
// at offeredAt.
func WinbackWindow(offeredAt time.Time, within time.Duration) (from, until time.Time) {
	return offeredAt.Truncate(time.Second), offeredAt.Add(within)
}

// Purchase is a customer's purchase, reported by an intake system.
type Purchase struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Amount     float64   `json:"amount"`
	Currency   string    `json:"currency"`
	At         time.Time `json:"at"`
	// CouponRunID is the win-back whose coupon the purchase redeemed.
	CouponRunID string `json:"coupon_run_id,omitempty"`
}

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
