package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// An intake key belongs to an outside system: it reads back only the
// complaints it filed, as the customer's side sees them (no internal
// notes, escalation reasons, root causes, assignee or staff files), never
// a customer's record, and learns no contact of a customer it matched.
func TestIntakeKeysReadOnlyWhatTheyFiled(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy, Mail: true})
	mine := file(t, s, newComplaint("crm-intake-reads"))
	mustSend(t, s, "zhou@example.cn", "complaints@"+redresstest.InboundDomain,
		"From: zhou@example.cn\nSubject: Mailed, not filed by the CRM\nMessage-ID: <intake-reads@example.cn>\n\nThe lamp flickers.\n")
	mailed := complaintBySubject(t, s, "Mailed, not filed by the CRM")

	ok(t, "acknowledge", s.Do("POST", "/v1/complaints/"+mine.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana@example.com"}), 200)
	ok(t, "a note", s.Do("POST", "/v1/complaints/"+mine.ID+"/notes", "dev-agent", map[string]string{"message": "Customer is a known complainer"}), 200)
	ok(t, "escalate", s.Do("POST", "/v1/complaints/"+mine.ID+"/escalate", "dev-agent", map[string]string{"reason": "the warehouse lost it twice"}), 200)
	ok(t, "a staff file", upload(s, mine.ID, "dev-agent", "internal.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj\n%%EOF\n")), http.StatusCreated)
	ok(t, "resolve", s.Do("POST", "/v1/complaints/"+mine.ID+"/resolve", "dev-agent",
		map[string]any{"resolution_type": "refund", "summary": "Refunded", "root_cause": "staff_behavior"}), 200)

	r := ok(t, "the intake key reads its complaint", s.Do("GET", "/v1/complaints/"+mine.ID, "dev-intake", nil), http.StatusOK)
	for _, internal := range []string{"known complainer", "warehouse lost", "staff_behavior", "internal.pdf", "ana@example.com"} {
		if strings.Contains(string(r.Body), internal) {
			t.Errorf("the intake key reads %q in %s", internal, r.Body)
		}
	}
	var seen redress.Complaint
	r.JSON(t, &seen)
	if seen.Status != redress.StatusResolved || seen.Resolution == nil || seen.Resolution.Summary != "Refunded" {
		t.Errorf("the intake key reads %+v; want the status and the resolution's summary", seen.State)
	}
	ok(t, "an agent reads all of it", s.Do("GET", "/v1/complaints/"+mine.ID, "dev-agent", nil), http.StatusOK)

	ok(t, "the intake key reads a mailed complaint", s.Do("GET", "/v1/complaints/"+mailed.ID, "dev-intake", nil), http.StatusNotFound)
	var list struct{ Items []redress.Complaint }
	ok(t, "the intake key lists", s.Do("GET", "/v1/complaints", "dev-intake", nil), http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != mine.ID || list.Items[0].Assignee != "" {
		t.Errorf("the intake key lists %+v; want its own complaint alone, without its assignee", list.Items)
	}
	ok(t, "the intake key reads the customer", s.Do("GET", "/v1/customers/"+mine.CustomerID, "dev-intake", nil), http.StatusForbidden)
	ok(t, "the intake key adds a file to a mailed complaint", upload(s, mailed.ID, "dev-intake", "x.png", "image/png", redresstest.Photo(4, 4)), http.StatusNotFound)

	// Matching a customer by e-mail tells the integrator its id, not the
	// phone or name another system gave it.
	ok(t, "a customer with a phone", s.Do("POST", "/v1/customers", "dev-agent",
		map[string]any{"name": "Li Wei", "email": "li.wei.private@example.com", "phone": "+86 138 0000 2222"}), http.StatusCreated)
	r = ok(t, "matched by the intake key", s.Do("POST", "/v1/customers", "dev-intake", map[string]any{"email": "li.wei.private@example.com"}), http.StatusOK)
	if strings.Contains(string(r.Body), "0000 2222") || strings.Contains(string(r.Body), "Li Wei") || !strings.Contains(string(r.Body), `"id"`) {
		t.Errorf("the intake key learns %s", r.Body)
	}
}
