package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
)

// The audit log records each sign-in, each read of a customer's data, each
// merge and each key change, with who did it; admins read it with
// filters, and nobody else does; its chain stays intact.
func TestAuditLogRecordsWhoReadAndChangedWhat(t *testing.T) {
	s := consoleStack(t)
	c := file(t, s, newComplaint("crm-audit"))
	other := file(t, s, newComplaint("crm-audit-other"))

	if p := s.Anonymous().TrySignIn("ana@example.com", "a wrong guess"); p.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong password: %d", p.Status)
	}
	ana := s.SignIn("ana@example.com", staffPassword)
	if p := ana.Get("/console/complaints/" + c.ID); p.Status != http.StatusOK {
		t.Fatalf("the complaint page: %d", p.Status)
	}
	ok(t, "an agent reads the complaint", s.Do("GET", "/v1/complaints/"+c.ID, "dev-agent", nil), http.StatusOK)
	ok(t, "an agent reads the customer", s.Do("GET", "/v1/customers/"+c.CustomerID, "dev-agent", nil), http.StatusOK)
	ok(t, "a supervisor merges the customers", s.Do("POST", "/v1/customers/"+other.CustomerID+"/merge", "dev-supervisor",
		map[string]string{"into": c.CustomerID}), http.StatusOK)

	for _, want := range []redress.AuditLine{
		{Actor: "user:ana@example.com", Action: redress.AuditSignIn, Target: "console"},
		{Actor: "user:ana@example.com", Action: redress.AuditReadComplaint, Target: "complaint:" + c.ID},
		{Actor: "key:dev-agent", Action: redress.AuditReadComplaint, Target: "complaint:" + c.ID},
		{Actor: "key:dev-agent", Action: redress.AuditReadCustomer, Target: "customer:" + c.CustomerID},
		{Actor: "key:dev-supervisor", Action: redress.AuditMergeCustomers, Target: "customer:" + other.CustomerID},
		{Actor: redress.BySystem, Action: redress.AuditKeyChange, Target: "api_keys"},
	} {
		var page struct{ Items []redress.AuditLine }
		ok(t, "the audit log", s.Do("GET", "/v1/audit?action="+want.Action+"&target="+want.Target, "dev-admin", nil), http.StatusOK).JSON(t, &page)
		found := false
		for _, l := range page.Items {
			found = found || l.Actor == want.Actor
		}
		if !found {
			t.Errorf("no %s of %s by %s in %+v", want.Action, want.Target, want.Actor, page.Items)
		}
	}
	var failed struct{ Items []redress.AuditLine }
	ok(t, "failed sign-ins", s.Do("GET", "/v1/audit?action=sign_in&actor=user:ana@example.com", "dev-admin", nil), http.StatusOK).JSON(t, &failed)
	if len(failed.Items) != 2 || failed.Items[1].Detail["ok"] != false || failed.Items[0].Detail["ok"] != true {
		t.Errorf("ana's sign-ins: %+v; want a failure, then a success", failed.Items)
	}
	ok(t, "the audit log for a supervisor", s.Do("GET", "/v1/audit", "dev-supervisor", nil), http.StatusForbidden)
	ok(t, "a bad window", s.Do("GET", "/v1/audit?from=yesterday", "dev-admin", nil), http.StatusUnprocessableEntity)
	if p := ana.Get("/console/audit"); p.Status != http.StatusForbidden {
		t.Errorf("the audit page for an agent: %d", p.Status)
	}
	s.AddStaff("ada@example.com", "Ada Admin", "admin", staffPassword)
	if p := s.SignIn("ada@example.com", staffPassword).Get("/console/audit?action=merge_customers"); p.Status != http.StatusOK ||
		!strings.Contains(p.Body, "customer:"+other.CustomerID) {
		t.Errorf("the audit page for an admin: %d", p.Status)
	}
	if n, broken, err := s.DB.VerifyAudit(context.Background()); err != nil || broken != nil || n == 0 {
		t.Errorf("the chain: %d lines, %+v, %v", n, broken, err)
	}
}
