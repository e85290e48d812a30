package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/redress-dev/redress/desk"
)

// An admin downloads everything held about a customer from the console and
// asks their erasure there; an agent sees neither.
func TestConsoleExportsAndErasesForAdmins(t *testing.T) {
	s := consoleStack(t)
	s.AddStaff("ada@example.com", "Ada Admin", "admin", staffPassword)
	c := file(t, s, newComplaint("crm-console-pd"))
	page := "/console/customers/" + c.CustomerID

	ana := s.SignIn("ana@example.com", staffPassword)
	if p := ana.Get(page); p.Status != http.StatusOK || strings.Contains(p.Body, "customer-personal-data") {
		t.Errorf("an agent's customer page: %d, personal data card shown: %v", p.Status, strings.Contains(p.Body, "customer-personal-data"))
	}
	if p := ana.Get(page + "/export"); p.Status != http.StatusForbidden {
		t.Errorf("an agent's export: %d", p.Status)
	}

	ada := s.SignIn("ada@example.com", staffPassword)
	p := ada.Get(page)
	if !strings.Contains(p.Body, `id="customer-export"`) || !strings.Contains(p.Body, `id="erase-customer-form"`) {
		t.Fatalf("the admin's customer page lacks the export and the erasure:\n%s", p.Body)
	}
	p = ada.Get(page + "/export")
	var export desk.CustomerExport
	if p.Status != http.StatusOK || json.Unmarshal([]byte(p.Body), &export) != nil ||
		export.Customer.Email != "crm-console-pd@example.com" || len(export.Complaints) != 1 {
		t.Fatalf("the export: %d %.300s", p.Status, p.Body)
	}
	ada.Get(page)
	if p := ada.Post(page+"/erase", url.Values{"reason": {""}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("an erasure without a reason: %d", p.Status)
	}
	ada.Get(page)
	if p := ada.Post(page+"/erase", url.Values{"reason": {"asked at the counter"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("the erasure: %d %s", p.Status, p.Body)
	}
	if p := ada.Get(page); !strings.Contains(p.Body, `id="customer-erasure"`) || strings.Contains(p.Body, `id="erase-customer-form"`) {
		t.Errorf("after the erasure the page shows no erasure, or offers another:\n%s", p.Body)
	}
}
