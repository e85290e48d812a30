package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// In the console an agent sees a complaint flagged as a duplicate and
// merges it with the button on the flag; a supervisor opens the customer's
// page, notes something about them and merges them into the customer they
// were flagged as.
func TestConsoleMergesDuplicatesInABrowser(t *testing.T) {
	s := consoleStack(t)
	kept := file(t, s, complaintOf("crm-console-dup", "Washing machine leaks",
		"Water leaks from under the washing machine every time it spins. The floor gets wet.", ""))
	dup := file(t, s, complaintOf("crm-console-dup", "Leaking washer",
		"Every time it spins, water leaks from under my washing machine and the floor gets wet.", ""))
	if dup.PossibleDuplicateOf != kept.ID {
		t.Fatalf("the second complaint is not flagged: %q", dup.PossibleDuplicateOf)
	}
	agent := redresstest.StartBrowserSized(t, "en", 1280, 900)
	signInBrowser(t, s, agent, "ana@example.com")
	agent.Open(s.BaseURL + "/console/complaints/" + dup.ID)
	agent.WaitFor("#possible-duplicate")
	if !strings.Contains(agent.Text("#possible-duplicate"), "Washing machine leaks") {
		t.Errorf("the flag does not name the complaint: %q", agent.Text("#possible-duplicate"))
	}
	screenshot(agent, "console-possible-duplicate")
	agent.Click("#merge-duplicate-form button")
	agent.WaitFor("#complaint-page[data-complaint-id='" + kept.ID + "']")
	agent.WaitForText("#timeline", "Leaking washer")
	screenshot(agent, "console-merged")
	if got := s.Complaint(dup.ID); got.Status != redress.StatusMerged || got.MergedInto != kept.ID {
		t.Errorf("after the button the duplicate is %s into %q", got.Status, got.MergedInto)
	}

	// Two customer records of one person: a shop and its owner.
	other := file(t, s, map[string]any{"customer": map[string]any{"external_id": "crm-console-dup-shop", "name": "Chen's Shop",
		"email": "crm-console-dup@example.cn"}, "channel": "phone", "subject": "Invoice wrong", "description": "The fee is 120, not 80."})
	if getCustomer(t, s, other.CustomerID).PossibleDuplicateOf != kept.CustomerID {
		t.Fatal("the shop's record is not flagged as the owner's duplicate")
	}
	supervisor := redresstest.StartBrowserSized(t, "en", 1280, 900)
	signInBrowser(t, s, supervisor, "sam@example.com")
	supervisor.Open(s.BaseURL + "/console/customers/" + other.CustomerID)
	supervisor.WaitFor("#possible-duplicate-customer")
	supervisor.Type("#customer-note", "Owns the shop on Huaihai Road")
	supervisor.Click("#customer-notes button")
	supervisor.WaitForText("#customer-notes", "Owns the shop on Huaihai Road")
	screenshot(supervisor, "console-customer")
	supervisor.Click("#merge-customer-form button")
	supervisor.WaitFor("#customer-page[data-customer-id='" + kept.CustomerID + "']")
	page := supervisor.Text("main")
	for _, want := range []string{"Invoice wrong", "Washing machine leaks", "Owns the shop on Huaihai Road", "merged"} {
		if !strings.Contains(page, want) {
			t.Errorf("the kept customer's page lacks %q:\n%s", want, page)
		}
	}
	if c := s.Complaint(other.ID); c.CustomerID != kept.CustomerID {
		t.Errorf("the shop's complaint belongs to %s", c.CustomerID)
	}
	if r := s.Anonymous().Get("/console/customers/" + kept.CustomerID); r.Status != http.StatusSeeOther {
		t.Errorf("the customer's page without a session: %d", r.Status)
	}
}
