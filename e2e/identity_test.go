package e2e

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// customerView is GET /v1/customers/{id}.
type customerView struct {
	redress.Customer
	Changes []redress.CustomerChange `json:"changes"`
}

func getCustomer(t *testing.T, s *redresstest.Stack, id string) customerView {
	t.Helper()
	var cu customerView
	ok(t, "GET customer", s.Do("GET", "/v1/customers/"+id, "dev-agent", nil), http.StatusOK).JSON(t, &cu)
	return cu
}

func complaintFor(customer map[string]any, subject string) map[string]any {
	return map[string]any{"customer": customer, "channel": "email", "subject": subject,
		"description": "The kettle stopped heating after a week."}
}

func TestComplaintsByEmailOnlyShareOneCustomer(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	// Two intakes of a customer never seen before, at the same time, with the
	// e-mail spelt two ways.
	emails := []string{"Zhou.Min@Example.com", "zhou.min@example.com"}
	filed := make([]created, len(emails))
	var wg sync.WaitGroup
	for i, email := range emails {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.Do("POST", "/v1/complaints", "dev-intake", complaintFor(map[string]any{"email": email}, "Kettle broke"))
			if r.Status != http.StatusCreated {
				t.Errorf("POST %s = %d %s", email, r.Status, r.Body)
				return
			}
			r.JSON(t, &filed[i])
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if filed[0].CustomerID == "" || filed[0].CustomerID != filed[1].CustomerID {
		t.Fatalf("complaints by one e-mail went to customers %q and %q", filed[0].CustomerID, filed[1].CustomerID)
	}
	var page struct{ Items []created }
	s.Do("GET", "/v1/complaints?customer_id="+filed[0].CustomerID, "dev-agent", nil).JSON(t, &page)
	if len(page.Items) != 2 {
		t.Errorf("the customer has %d complaints, want 2", len(page.Items))
	}
	cu := getCustomer(t, s, filed[0].CustomerID)
	if len(cu.Changes) != 1 || cu.Changes[0].Kind != redress.CustomerCreated || cu.Changes[0].Source != "dev-intake" {
		t.Errorf("changes = %+v, want one creation by dev-intake", cu.Changes)
	}

	// A phone given later joins the customer; then the phone alone finds it.
	third := file(t, s, complaintFor(map[string]any{"email": "zhou.min@example.com", "phone": "+86 139 1111 2222"}, "Still broken"))
	fourth := file(t, s, complaintFor(map[string]any{"phone": "+86-139-1111-2222"}, "Called about it"))
	if third.CustomerID != cu.ID || fourth.CustomerID != cu.ID {
		t.Errorf("customers %s and %s, want %s for both", third.CustomerID, fourth.CustomerID, cu.ID)
	}
	cu = getCustomer(t, s, cu.ID)
	if last := cu.Changes[len(cu.Changes)-1]; len(cu.Changes) != 2 || last.ComplaintID != third.ID ||
		last.Fields["phone"] != (redress.FieldChange{To: "+86 139 1111 2222"}) {
		t.Errorf("changes = %+v, want the creation and the phone added by complaint %s", cu.Changes, third.ID)
	}
}

func TestRefusedIntakeLeavesTheCustomerUnchanged(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	customer := map[string]any{"external_id": "crm-chen", "name": "Chen Jing", "email": "chen@example.com", "tier": "silver"}
	first := file(t, s, complaintFor(customer, "Kettle broke"), "Idempotency-Key", "mail-881")

	renamed := map[string]any{"external_id": "crm-chen", "name": "Chen Renamed", "email": "chen@example.com", "tier": "gold"}
	r := s.Do("POST", "/v1/complaints", "dev-intake", complaintFor(renamed, "Kettle broke"), "Idempotency-Key", "mail-881")
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "mail-881") {
		t.Fatalf("same key, another customer name = %d %s; want 409 naming the key", r.Status, r.Body)
	}
	cu := getCustomer(t, s, first.CustomerID)
	if cu.Name != "Chen Jing" || cu.Tier != redress.TierSilver || len(cu.Changes) != 1 {
		t.Errorf("a refused request changed the customer: %+v", cu)
	}

	// The same request again is the first answer, and changes nothing either.
	r = s.Do("POST", "/v1/complaints", "dev-intake", complaintFor(customer, "Kettle broke"), "Idempotency-Key", "mail-881")
	var replay created
	ok(t, "replay", r, http.StatusCreated).JSON(t, &replay)
	if replay.ID != first.ID || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay = %s (replayed %q), want %s", replay.ID, r.Header.Get("Idempotent-Replayed"), first.ID)
	}

	// Keys of two different customers: the external id decides, the complaint
	// is filed, and nothing of the other customer moves; the customer is
	// flagged as a possible duplicate for a person to look at.
	other := file(t, s, complaintFor(map[string]any{"external_id": "crm-other", "email": "other@example.com"}, "Late"))
	mixed := map[string]any{"external_id": "crm-chen", "email": "Other@example.com", "name": "Merged"}
	third := file(t, s, complaintFor(mixed, "Who am I"))
	if third.CustomerID != first.CustomerID {
		t.Errorf("the complaint went to customer %s, want %s by its external id", third.CustomerID, first.CustomerID)
	}
	cu = getCustomer(t, s, first.CustomerID)
	if cu.Name != "Chen Jing" || cu.Email != "chen@example.com" || cu.PossibleDuplicateOf != other.CustomerID {
		t.Errorf("keys of two customers left %+v; want its name and e-mail kept, flagged as a possible duplicate of %s", cu.Customer, other.CustomerID)
	}
	if cu := getCustomer(t, s, other.CustomerID); cu.Name != "" || cu.Email != "other@example.com" || len(cu.Changes) != 1 {
		t.Errorf("the other customer changed: %+v", cu)
	}

	// A phone is digits; anything else cannot be matched and is refused.
	r = s.Do("POST", "/v1/complaints", "dev-intake", complaintFor(map[string]any{"phone": "call me maybe"}, "x"))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"customer.phone"`) {
		t.Errorf("a phone without digits = %d %s", r.Status, r.Body)
	}
	if n := countComplaints(t, s); n != 3 {
		t.Errorf("%d complaints stored, want 3", n)
	}
}

// Intake never refuses a complaint over its customer's details and never
// replaces a known contact: a shared e-mail makes a flagged new customer, a
// match by phone only fills what is missing, and staff change details by PATCH.
func TestIntakeNeverRefusesAndNeverReplacesContacts(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	parent := file(t, s, complaintFor(map[string]any{"external_id": "crm-parent", "email": "family@example.com", "phone": "13800001111"}, "Kettle broke"))

	// A family member with an external id of their own and the same e-mail.
	r := s.Do("POST", "/v1/complaints", "dev-intake", complaintFor(map[string]any{"external_id": "crm-child", "email": "family@example.com"}, "Toaster broke"))
	var child created
	ok(t, "a second customer with a shared e-mail", r, http.StatusCreated).JSON(t, &child)
	if child.CustomerID == parent.CustomerID {
		t.Fatalf("the complaint of crm-child went to crm-parent's customer")
	}
	cu := getCustomer(t, s, child.CustomerID)
	if cu.ExternalID != "crm-child" || cu.Email != "family@example.com" || cu.PossibleDuplicateOf != parent.CustomerID {
		t.Errorf("the new customer = %+v; want crm-child with the shared e-mail, a possible duplicate of %s", cu.Customer, parent.CustomerID)
	}

	// A caller that finds the parent by phone cannot redirect its mail.
	byPhone := file(t, s, complaintFor(map[string]any{"phone": "138-0000-1111", "email": "attacker@example.net", "name": "Someone", "tier": "diamond"}, "Where is my refund"))
	if byPhone.CustomerID != parent.CustomerID {
		t.Fatalf("the phone found customer %s, want %s", byPhone.CustomerID, parent.CustomerID)
	}
	cu = getCustomer(t, s, parent.CustomerID)
	if cu.Email != "family@example.com" || cu.Tier != redress.TierStandard || cu.Name != "Someone" {
		t.Errorf("after a match by phone the customer is %+v; want its e-mail and tier kept, its missing name filled", cu.Customer)
	}

	// Staff change the e-mail; the change log names who did.
	patch := func(key string, body any) *redresstest.Response {
		return s.Do("PATCH", "/v1/customers/"+parent.CustomerID, key, body)
	}
	for _, bad := range []struct {
		body  any
		field string
	}{
		{map[string]any{"email": "not-an-address"}, "email"},
		{map[string]any{"tier": "platinum"}, "tier"},
		{map[string]any{"language": "fr"}, "language"},
		{map[string]any{"possible_duplicate_of": child.CustomerID}, "possible_duplicate_of"},
		{map[string]any{"colour": "red"}, ""},
	} {
		r := patch("dev-agent", bad.body)
		if r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest ||
			r.Header.Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(string(r.Body), bad.field) {
			t.Errorf("PATCH %v = %d %s; want a 4xx problem naming %q", bad.body, r.Status, r.Body, bad.field)
		}
	}
	if r := patch("dev-intake", map[string]any{"email": "x@example.com"}); r.Status != http.StatusForbidden {
		t.Errorf("PATCH with an intake key = %d %s; want 403", r.Status, r.Body)
	}
	if r := patch("dev-agent", map[string]any{"email": "family@example.com", "phone": "+86 139 0000 0000"}); r.Status != http.StatusOK {
		t.Errorf("PATCH = %d %s", r.Status, r.Body)
	}
	// The child's e-mail is its own only after the parent's moved.
	if r := s.Do("PATCH", "/v1/customers/"+child.CustomerID, "dev-agent", map[string]any{"possible_duplicate_of": ""}); r.Status != http.StatusOK {
		t.Errorf("dismissing the flag = %d %s", r.Status, r.Body)
	}
	if r := patch("dev-agent", map[string]any{"email": "Parent@Example.com", "tier": "gold"}); r.Status != http.StatusOK {
		t.Fatalf("PATCH e-mail and tier = %d %s", r.Status, r.Body)
	}
	cu = getCustomer(t, s, parent.CustomerID)
	last := cu.Changes[len(cu.Changes)-1]
	if cu.Email != "Parent@Example.com" || cu.Tier != redress.TierGold || last.Kind != redress.CustomerEdited ||
		last.Source != "dev-agent" || last.Fields["email"].From != "family@example.com" || last.Fields["tier"].To != "gold" {
		t.Errorf("after the PATCH: %+v, last change %+v", cu.Customer, last)
	}
	if cu := getCustomer(t, s, child.CustomerID); cu.PossibleDuplicateOf != "" {
		t.Errorf("the dismissed flag is still %q", cu.PossibleDuplicateOf)
	}
	if r := s.Do("PATCH", "/v1/customers/00000000-0000-0000-0000-000000000000", "dev-agent", map[string]any{"name": "x"}); r.Status != http.StatusNotFound {
		t.Errorf("PATCH of no customer = %d %s", r.Status, r.Body)
	}
}
