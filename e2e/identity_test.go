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

	// Keys of two different customers are refused, and neither changes.
	other := file(t, s, complaintFor(map[string]any{"external_id": "crm-other", "email": "other@example.com"}, "Late"))
	mixed := map[string]any{"external_id": "crm-chen", "email": "Other@example.com", "name": "Merged"}
	r = s.Do("POST", "/v1/complaints", "dev-intake", complaintFor(mixed, "Who am I"))
	if r.Status != http.StatusConflict || r.Header.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(string(r.Body), first.CustomerID) || !strings.Contains(string(r.Body), other.CustomerID) {
		t.Errorf("keys of two customers = %d %s; want a 409 naming both", r.Status, r.Body)
	}
	r = s.Do("POST", "/v1/customers", "dev-intake", mixed)
	if r.Status != http.StatusConflict {
		t.Errorf("POST /v1/customers with keys of two customers = %d %s", r.Status, r.Body)
	}
	for _, id := range []string{first.CustomerID, other.CustomerID} {
		if cu := getCustomer(t, s, id); cu.Name == "Merged" || len(cu.Changes) != 1 {
			t.Errorf("a refused request changed customer %s: %+v", id, cu)
		}
	}

	// A phone is digits; anything else cannot be matched and is refused.
	r = s.Do("POST", "/v1/complaints", "dev-intake", complaintFor(map[string]any{"phone": "call me maybe"}, "x"))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"customer.phone"`) {
		t.Errorf("a phone without digits = %d %s", r.Status, r.Body)
	}
	if n := countComplaints(t, s); n != 2 {
		t.Errorf("%d complaints stored, want 2", n)
	}
}
