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
//
// A customer is found by external id, else by e-mail, else by phone. Intake
// fills in details a known customer lacks and never replaces one; a new
// external id whose e-mail or phone another customer has makes a new
// customer marked PossibleDuplicateOf that one, for a person to decide.
type Customer struct {
	ID         string `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Tier       Tier   `json:"tier"`
	// TierPinned is a tier set by staff, which loyalty never moves.
	TierPinned bool `json:"tier_pinned"`
	// Points is the balance of the customer's points ledger.
	Points              int64  `json:"points"`
	Language            string `json:"language,omitempty"` // "en" or "zh" once known: the language of what Redress sends them
	PossibleDuplicateOf string `json:"possible_duplicate_of,omitempty"`
	// MergedInto is the customer this one was merged into: its complaints,
	// purchases and win-backs are that customer's now.
	MergedInto string     `json:"merged_into,omitempty"`
	MergedAt   *time.Time `json:"merged_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	// Erasure is the erasure asked for the customer, if any; ErasedAt is set
	// once it is done, and the customer then holds no personal data.
	Erasure  *Erasure   `json:"erasure,omitempty"`
	ErasedAt *time.Time `json:"erased_at,omitempty"`
}

// Erasure statuses.
const (
	ErasureRequested = "requested" // under way: the data keys may not be destroyed yet
	ErasureDone      = "erased"    // every copy of the personal data is unreadable or removed
)

// Erasure is where a customer's erasure stands (SPEC section 12).
type Erasure struct {
	Status      string     `json:"status"`
	RequestedAt time.Time  `json:"requested_at"`
	ErasedAt    *time.Time `json:"erased_at,omitempty"`
}

// ErasureWorkflowID names the workflow that erases a customer: one per
// customer, so a second request joins the first.
func ErasureWorkflowID(customerID string) string { return "erasure-" + customerID }

// CustomerNote is an internal note about a customer, for staff only.
type CustomerNote struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"` // the credential that wrote it (ByKey, ByUser)
	Note string    `json:"note"`
}

// Languages are the languages Redress writes to customers in.
var Languages = []string{"en", "zh"}

// The kinds of customer change.
const (
	CustomerCreated = "created"
	CustomerUpdated = "updated"
	CustomerEdited  = "edited" // by staff, through PATCH /v1/customers/{id}
	// A merge, recorded on both customers: merged_into on the one merged
	// away, merged_from (and what it lacked) on the one kept.
	CustomerMerged = "merged"
	// CustomerTierChanged is loyalty's: a tier earned or lost, with why.
	CustomerTierChanged = "tier_changed"
)

// CustomerChange records one change to a customer's details: when, by whom,
// and each changed field (external_id, name, email, phone, tier, language,
// possible_duplicate_of) from what to what.
type CustomerChange struct {
	At          time.Time              `json:"at"`
	Kind        string                 `json:"kind"`                   // CustomerCreated, CustomerUpdated or CustomerEdited
	Source      string                 `json:"source"`                 // the credential that sent the details: an API key's name, or user:<e-mail>
	ComplaintID string                 `json:"complaint_id,omitempty"` // the complaint whose intake sent them, if any
	Fields      map[string]FieldChange `json:"fields"`
	Reason      string                 `json:"reason,omitempty"` // why a rule made it
}

// FieldChange is one field's value before and after a change.
type FieldChange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// CustomerEdit is a staff change to a customer's details: a nil field stays
// as it is. An empty e-mail or phone removes it; an empty
// PossibleDuplicateOf dismisses the flag (it cannot be set by hand).
type CustomerEdit struct {
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Phone *string `json:"phone,omitempty"`
	Tier  *Tier   `json:"tier,omitempty"`
	// TierPinned keeps the tier where staff put it; a tier set by staff
	// is pinned unless this says false.
	TierPinned          *bool   `json:"tier_pinned,omitempty"`
	Language            *string `json:"language,omitempty"`
	PossibleDuplicateOf *string `json:"possible_duplicate_of,omitempty"`
}

// Apply returns the customer with the edit made.
func (e CustomerEdit) Apply(c Customer) Customer {
	set := func(field *string, value *string) {
		if value != nil {
			*field = *value
		}
	}
	set(&c.Name, e.Name)
	set(&c.Email, e.Email)
	set(&c.Phone, e.Phone)
	set(&c.Language, e.Language)
	set(&c.PossibleDuplicateOf, e.PossibleDuplicateOf)
	if e.Tier != nil {
		c.Tier, c.TierPinned = *e.Tier, true
	}
	if e.TierPinned != nil {
		c.TierPinned = *e.TierPinned
	}
	return c
}

// CustomerChangedSignal tells a running complaint that its customer
// changed: merged into another, or moved to another tier by loyalty. Its
// events and any win-back it starts are the new customer's, at the tier
// named. (Its wire name is from when only merges sent it.)
const CustomerChangedSignal = "customer_merged"

// CustomerChanged is the customer a complaint now belongs to, and their
// tier.
type CustomerChanged struct {
	CustomerID string `json:"customer_id"`
	Tier       Tier   `json:"tier"`
}
