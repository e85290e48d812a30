package redress

import "time"

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
