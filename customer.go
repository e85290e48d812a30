package redress

import "time"

// Tier is the customer's loyalty level; higher tiers get faster service and
// richer win-back offers.
type Tier string

// The customer tiers, lowest first.
const (
	TierStandard Tier = "standard"
	TierSilver   Tier = "silver"
	TierGold     Tier = "gold"
	TierDiamond  Tier = "diamond"
)

// Tiers lists every tier.
var Tiers = []Tier{TierStandard, TierSilver, TierGold, TierDiamond}

// Premium reports whether the tier earns priority handling.
func (t Tier) Premium() bool { return t == TierGold || t == TierDiamond }

// Customer is a person or company that complains.
type Customer struct {
	ID         string    `json:"id"`
	ExternalID string    `json:"external_id"`
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	Tier       Tier      `json:"tier"`
	CreatedAt  time.Time `json:"created_at"`
}

// The kinds of customer change.
const (
	CustomerCreated = "created"
	CustomerUpdated = "updated"
)

// CustomerChange records one change to a customer's details: when, by whom,
// and each changed field (external_id, name, email, phone, tier) from what
// to what.
type CustomerChange struct {
	At          time.Time              `json:"at"`
	Kind        string                 `json:"kind"`                   // CustomerCreated or CustomerUpdated
	Source      string                 `json:"source"`                 // the name of the API key that sent the details
	ComplaintID string                 `json:"complaint_id,omitempty"` // the complaint whose intake sent them, if any
	Fields      map[string]FieldChange `json:"fields"`
}

// FieldChange is one field's value before and after a change.
type FieldChange struct {
	From string `json:"from"`
	To   string `json:"to"`
}
