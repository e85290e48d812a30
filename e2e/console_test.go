package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

const staffPassword = "correct horse battery"

func consoleStack(t *testing.T) *redresstest.Stack {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	s.AddStaff("ana@example.com", "Ana Agent", "agent", staffPassword)
	s.AddStaff("sam@example.com", "Sam Supervisor", "supervisor", staffPassword)
	return s
}

// Without a session every console page sends the browser to sign in, and
// every action is refused without changing anything.
func TestConsoleNeedsASession(t *testing.T) {
	s := consoleStack(t)
	c := file(t, s, newComplaint("crm-console-1"))
	anon := s.Anonymous()
	for _, path := range []string{"/console/", "/console/queues/mine", "/console/complaints/" + c.ID, "/console/supervisor"} {
		p := anon.Get(path)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/login") {
			t.Errorf("GET %s without a session = %d to %q; want a redirect to the sign-in form", path, p.Status, p.Location)
		}
	}
	for _, action := range []string{"acknowledge", "note", "resolve"} {
		p := anon.Post("/console/complaints/"+c.ID+"/"+action, url.Values{"message": {"x"}, "csrf": {"guess"}})
		if p.Status != http.StatusUnauthorized {
			t.Errorf("POST %s without a session = %d; want 401", action, p.Status)
		}
	}
	if got := s.Complaint(c.ID); got.Status != redress.StatusReceived || len(got.Timeline) != 1 {
		t.Errorf("actions without a session changed the complaint: %s", describeLines(got))
	}
	if p := anon.Post("/console/login", url.Values{"email": {"ana@example.com"}, "password": {staffPassword}}); p.Status != http.StatusForbidden {
		t.Errorf("a sign-in posted without the form's token = %d; want 403", p.Status)
	}
}

// A form posted without the session's token (a page on another site
// posting into the console) is refused; with it, the action is the signed-in
// person's, whatever the form says.
func TestConsoleActionsNeedTheFormToken(t *testing.T) {
	s := consoleStack(t)
	c := file(t, s, newComplaint("crm-console-2"))
	ana := s.SignIn("ana@example.com", staffPassword)
	path := "/console/complaints/" + c.ID + "/acknowledge"
	for _, token := range []string{"", "forged"} {
		if p := ana.Post(path, url.Values{"csrf": {token}}); p.Status != http.StatusForbidden {
			t.Errorf("acknowledge with token %q = %d; want 403", token, p.Status)
		}
	}
	if got := s.Complaint(c.ID); got.Status != redress.StatusReceived {
		t.Fatalf("a forged form acknowledged the complaint")
	}
	if p := ana.Post(path, url.Values{"agent": {"someone-else"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("acknowledge = %d: %s", p.Status, p.Body)
	}
	got := s.Complaint(c.ID)
	last := got.Timeline[len(got.Timeline)-1]
	if got.Status != redress.StatusAcknowledged || got.Assignee != "ana@example.com" || last.By != "user:ana@example.com" {
		t.Errorf("after the console's acknowledgement: status %s, assignee %q, line %+v", got.Status, got.Assignee, last)
	}
	// A second acknowledgement is refused in the workflow's words.
	p := ana.Post(path, url.Values{})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "status is acknowledged") {
		t.Errorf("acknowledging twice = %d; want 409 saying why: %s", p.Status, p.Body)
	}
}

// An agent may not open the supervisor's pages or assign; a supervisor may.
func TestConsoleRoles(t *testing.T) {
	s := consoleStack(t)
	c := file(t, s, newComplaint("crm-console-3"))
	ana := s.SignIn("ana@example.com", staffPassword)
	if p := ana.Get("/console/supervisor"); p.Status != http.StatusForbidden {
		t.Errorf("an agent opening the supervisor view = %d; want 403", p.Status)
	}
	page := ana.Get("/console/complaints/" + c.ID)
	if strings.Contains(page.Body, "/assign\"") {
		t.Error("an agent's complaint page offers assigning")
	}
	p := ana.Post("/console/complaints/"+c.ID+"/assign", url.Values{"agent": {"ana@example.com"}})
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "agent role may not assign") {
		t.Errorf("an agent assigning = %d: %s", p.Status, p.Body)
	}
	sam := s.SignIn("sam@example.com", staffPassword)
	// A person's own language wins over the browser's (this client sends none).
	if p := sam.Post("/console/language", url.Values{"language": {"zh"}, "next": {"/console/complaints/" + c.ID}}); p.Status != http.StatusSeeOther {
		t.Fatalf("choosing Chinese = %d: %s", p.Status, p.Body)
	}
	if p := sam.Get("/console/complaints/" + c.ID); !strings.Contains(p.Body, "处理记录") {
		t.Error("after choosing Chinese the complaint page is not in Chinese")
	}
	if p := sam.Get("/console/supervisor"); p.Status != http.StatusOK {
		t.Errorf("a supervisor opening the supervisor view = %d", p.Status)
	}
	if p := sam.Post("/console/complaints/"+c.ID+"/assign", url.Values{"agent": {"ana@example.com"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("a supervisor assigning = %d: %s", p.Status, p.Body)
	}
	if got := s.Complaint(c.ID); got.Assignee != "ana@example.com" || got.Timeline[len(got.Timeline)-1].By != "user:sam@example.com" {
		t.Errorf("after assigning: assignee %q, line %+v", got.Assignee, got.Timeline[len(got.Timeline)-1])
	}
}

// A wrong password is refused, and guessing one person's password stops
// after a handful of tries; a disabled person is signed out at once.
func TestConsoleSignInAndDisabledPeople(t *testing.T) {
	s := consoleStack(t)
	guesser := s.Anonymous()
	if p := guesser.TrySignIn("ana@example.com", "wrong password!"); p.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong password = %d", p.Status)
	}
	refused := false
	for range 12 {
		if p := guesser.TrySignIn("ana@example.com", "another wrong one"); p.Status == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	if !refused {
		t.Error("twelve wrong passwords for one account were all checked; want 429 after ten")
	}

	sam := s.SignIn("sam@example.com", staffPassword)
	if err := s.DB.DisableStaffUser(context.Background(), "sam@example.com", "test"); err != nil {
		t.Fatal(err)
	}
	if p := sam.Get("/console/queues/mine"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/login") {
		t.Errorf("a disabled person's next page = %d to %q; want the sign-in form", p.Status, p.Location)
	}
	if p := s.Anonymous().TrySignIn("sam@example.com", staffPassword); p.Status != http.StatusUnauthorized {
		t.Errorf("a disabled person signing in = %d; want 401", p.Status)
	}
}

// A note written in the console is for staff: the customer's JSON, page,
// e-mail and webhook never carry it, and the console marks it internal.
func TestConsoleNoteNeverReachesTheCustomer(t *testing.T) {
	s := consoleStack(t)
	c := file(t, s, newComplaint("crm-console-4"))
	ana := s.SignIn("ana@example.com", staffPassword)
	const secret = "Customer is a known chargeback risk"
	if p := ana.Post("/console/complaints/"+c.ID+"/note", url.Values{"message": {secret}}); p.Status != http.StatusSeeOther {
		t.Fatalf("note = %d: %s", p.Status, p.Body)
	}
	page := ana.Get("/console/complaints/" + c.ID)
	if !strings.Contains(page.Body, `class="internal" data-kind="note"`) || !strings.Contains(page.Body, secret) {
		t.Error("the console does not show the note as an internal line")
	}
	for _, view := range []string{"/v1/track/" + c.TrackingToken, "/track/" + c.TrackingToken} {
		if r := s.Do("GET", view, "", nil); r.Status != http.StatusOK || strings.Contains(string(r.Body), "chargeback") {
			t.Errorf("GET %s = %d and shows the note", view, r.Status)
		}
	}
	events, err := s.DB.Events(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if data, _ := json.Marshal(e.Data); strings.Contains(string(data), "chargeback") {
			t.Errorf("event %s for e-mail and webhooks carries the note", e.Type)
		}
	}
}

func describeLines(c *redress.Complaint) string {
	var kinds []string
	for _, e := range c.Timeline {
		kinds = append(kinds, e.Kind)
	}
	return string(c.Status) + " " + strings.Join(kinds, ",")
}
