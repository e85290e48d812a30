package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// A supervisor merges two customers who are one person: the merged
// customer's complaints and purchases are the kept customer's, both change
// logs record it, the merged id answers with merged_into, intake by the
// merged customer's id or external id files for the kept customer, and a
// running complaint of the merged customer starts its win-back as the kept
// customer's. Merges that cannot be are refused; notes about the customer
// are staff's alone.
func TestCustomersMerged(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	ctx := context.Background()
	person := func(ext string) map[string]any {
		return map[string]any{"external_id": ext, "name": "Zhou Min", "email": ext + "@example.cn"}
	}
	moved := file(t, s, map[string]any{"customer": person("crm-zhou-shop"), "channel": "phone", "subject": "Fridge noisy", "description": "It hums loudly."})
	kept := file(t, s, map[string]any{"customer": person("crm-zhou-home"), "channel": "web", "subject": "Parcel late", "description": "Not here yet."})
	old, keptID := moved.CustomerID, kept.CustomerID
	ok(t, "a purchase", s.Do("POST", "/v1/customers/"+old+"/purchases", "dev-intake",
		map[string]any{"amount": 88, "currency": "CNY", "at": time.Now().UTC().Format(time.RFC3339)}), http.StatusCreated)

	ok(t, "merge by an agent", s.Do("POST", "/v1/customers/"+old+"/merge", "dev-agent", map[string]string{"into": keptID}), http.StatusForbidden)
	var record customerView
	ok(t, "merge", s.Do("POST", "/v1/customers/"+old+"/merge", "dev-supervisor", map[string]string{"into": keptID}), http.StatusOK).JSON(t, &record)
	if record.ID != keptID || len(record.Changes) == 0 || record.Changes[len(record.Changes)-1].Fields["merged_from"].To != old {
		t.Errorf("the kept customer's record: %+v", record)
	}
	gone := getCustomer(t, s, old)
	if gone.MergedInto != keptID || gone.MergedAt == nil || gone.Changes[len(gone.Changes)-1].Kind != redress.CustomerMerged {
		t.Errorf("the merged customer: %+v", gone)
	}
	if c := s.Complaint(moved.ID); c.CustomerID != keptID {
		t.Errorf("the merged customer's complaint belongs to %s", c.CustomerID)
	}
	if bought, err := s.DB.PurchasedWithin(ctx, keptID, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)); err != nil || !bought {
		t.Errorf("the merged customer's purchase is not the kept one's: %v, %v", bought, err)
	}
	for _, by := range []map[string]any{{"id": old}, person("crm-zhou-shop")} {
		if c := file(t, s, map[string]any{"customer": by, "channel": "web", "subject": "Another thing " + time.Now().String(), "description": "x"}); c.CustomerID != keptID {
			t.Errorf("intake for %v filed for %s; want the kept customer %s", by, c.CustomerID, keptID)
		}
	}
	for _, bad := range []struct {
		name, id, into string
		status         int
	}{
		{"back the other way", keptID, old, 409},
		{"into itself", keptID, keptID, 422},
		{"into nobody", keptID, "0193a0d4-0000-7000-8000-000000000000", 422},
	} {
		if r := s.Do("POST", "/v1/customers/"+bad.id+"/merge", "dev-supervisor", map[string]string{"into": bad.into}); r.Status != bad.status {
			t.Errorf("%s: %d %s; want %d", bad.name, r.Status, r.Body, bad.status)
		}
	}
	ok(t, "the same merge again", s.Do("POST", "/v1/customers/"+old+"/merge", "dev-supervisor", map[string]string{"into": keptID}), http.StatusOK)

	// The moved complaint's workflow learned its customer: its win-back
	// runs under the kept customer.
	ok(t, "resolve", s.Do("POST", "/v1/complaints/"+moved.ID+"/resolve", "dev-agent",
		map[string]any{"resolution_type": "repair", "summary": "Fixed", "root_cause": "product_defect"}), 200)
	ok(t, "confirm", s.Do("POST", "/v1/track/"+moved.TrackingToken+"/confirm", "", nil), 200)
	ok(t, "a low score", s.Do("POST", "/v1/surveys/"+surveyToken(t, s, moved.ID), "", map[string]any{"score": 1}), 200)
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.WinbackWorkflowID(keptID), "")
		if err == nil && d != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no win-back for the kept customer: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.WinbackWorkflowID(old), ""); err == nil {
		t.Error("a win-back runs for the merged customer")
	}

	ok(t, "a note by intake", s.Do("POST", "/v1/customers/"+keptID+"/notes", "dev-intake", map[string]string{"note": "x"}), http.StatusForbidden)
	ok(t, "a note", s.Do("POST", "/v1/customers/"+old+"/notes", "dev-agent", map[string]string{"note": "Shop and home are the same person"}), http.StatusCreated)
	var notes struct{ Notes []redress.CustomerNote }
	ok(t, "notes", s.Do("GET", "/v1/customers/"+keptID+"/notes", "dev-agent", nil), http.StatusOK).JSON(t, &notes)
	if len(notes.Notes) != 1 || notes.Notes[0].By != "key:dev-agent" || !strings.Contains(notes.Notes[0].Note, "same person") {
		t.Errorf("notes %+v", notes.Notes)
	}
}
