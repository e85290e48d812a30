package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

// screenshot keeps a picture of the page when REDRESS_SCREENSHOTS names a
// folder, for a person to look at.
func screenshot(b *redresstest.Browser, name string) {
	if dir := os.Getenv("REDRESS_SCREENSHOTS"); dir != "" {
		b.Screenshot(filepath.Join(dir, name+".png"))
	}
}

// signInBrowser signs a person in through the console's form.
func signInBrowser(t *testing.T, s *redresstest.Stack, b *redresstest.Browser, email string) {
	t.Helper()
	b.Open(s.BaseURL + "/console/")
	b.WaitFor("input[name=email]")
	b.Type("input[name=email]", email)
	b.Type("input[name=password]", staffPassword)
	b.Click("form[action='/console/login'] button")
	b.WaitFor("header.top")
}

// An agent works a complaint from the queue to its resolution, and sees
// what happens elsewhere (a new complaint, the customer's reply) without
// reloading the page.
func TestConsoleAgentWorksAComplaintInABrowser(t *testing.T) {
	s := consoleStack(t)
	agent := redresstest.StartBrowserSized(t, "en", 1280, 900)
	signInBrowser(t, s, agent, "ana@example.com")
	agent.Open(s.BaseURL + "/console/queues/open")
	agent.WaitFor("#queue-rows")
	agent.Script("window.notReloaded = true")

	c := file(t, s, newComplaint("crm-browser-1"))
	filed := time.Now()
	agent.WaitFor("tr[data-id='" + c.ID + "']")
	t.Logf("a new complaint reached the open queue %s after its 201", time.Since(filed).Round(10*time.Millisecond))
	if agent.Script("return window.notReloaded === true") != true {
		t.Fatal("the queue reloaded to show the new complaint")
	}
	stored := s.Complaint(c.ID)
	if due := agent.Attribute("tr[data-id='"+c.ID+"'] .clock", "data-due"); due != stored.AckDueAt.UTC().Format(time.RFC3339) {
		t.Errorf("the queue's countdown runs to %s; the complaint's acknowledgement is due %s", due, stored.AckDueAt)
	}
	screenshot(agent, "console-queue")

	// The keyboard: j moves to the first row, Enter opens it, a acknowledges.
	agent.Keys("j")
	if agent.Attribute("tr:focus", "data-id") != c.ID {
		t.Fatal("j did not move to the complaint's row")
	}
	agent.Keys("\ue007")
	agent.WaitFor("#complaint-page[data-complaint-id='" + c.ID + "']")
	agent.Keys("a")
	agent.WaitForText(".status", "Acknowledged")

	agent.Click("details:has(#note-message) summary")
	agent.Type("#note-message", "Checked the courier's scan log")
	agent.Click("form[action$='/note'] button")
	agent.WaitForText("#timeline", "Checked the courier's scan log")

	agent.Keys("r")
	agent.Type("#reply-message", "Could you send a photo of the label?")
	agent.Click("#waiting-on-customer")
	agent.Click("form[action$='/reply'] button")
	agent.WaitForText(".status", "Waiting on customer")
	agent.WaitFor("#clocks .clock.paused")
	agent.Script("window.notReloaded = true")
	screenshot(agent, "console-complaint-waiting")

	customer := redresstest.StartBrowser(t, "en")
	customer.Open(s.BaseURL + "/track/" + c.TrackingToken)
	if strings.Contains(customer.Text("main"), "scan log") {
		t.Error("the customer's page shows the internal note")
	}
	customer.Type("textarea[name=message]", "Here is the label: 4471")
	customer.Click("form[action$='/reply'] button")
	replied := time.Now()
	agent.WaitForText("#timeline", "Here is the label: 4471")
	t.Logf("the customer's reply reached the agent's open page %s after it was sent", time.Since(replied).Round(10*time.Millisecond))
	agent.WaitForText(".status", "In progress")
	if agent.Script("return window.notReloaded === true") != true {
		t.Fatal("the complaint page reloaded to show the customer's reply")
	}

	agent.Click("details:has(#resolve-summary) summary")
	agent.Click("select[name=resolution_type] option[value=replacement]")
	agent.Click("select[name=root_cause] option[value=logistics]")
	agent.Type("#resolve-summary", "A new parcel is on its way")
	agent.Click("form[action$='/resolve'] button")
	agent.WaitForText(".status", "Resolved")
	screenshot(agent, "console-complaint-resolved")
	got := s.Complaint(c.ID)
	for _, e := range got.Timeline {
		if e.By == "key:dev-agent" {
			t.Errorf("a console action was recorded as an API key's: %+v", e)
		}
	}
	if last := got.Timeline[len(got.Timeline)-1]; last.By != "user:ana@example.com" {
		t.Errorf("the resolution was recorded as %q", last.By)
	}
}

// A supervisor assigns a complaint and reads the charts, on a tablet; an
// agent is refused the supervisor's page.
func TestConsoleSupervisorInABrowser(t *testing.T) {
	s := consoleStack(t)
	c := file(t, s, newComplaint("crm-browser-2"))
	sup := redresstest.StartBrowserSized(t, "zh-CN", 820, 1180)
	signInBrowser(t, s, sup, "sam@example.com")
	if header := sup.Text("header.top"); !strings.Contains(header, "主管视图") {
		t.Errorf("a Chinese browser's console header reads %q", header)
	}
	sup.Open(s.BaseURL + "/console/queues/unassigned")
	sup.WaitFor("tr[data-id='" + c.ID + "']")
	screenshot(sup, "console-queue-tablet-zh")
	sup.Open(s.BaseURL + "/console/complaints/" + c.ID)
	sup.Click("details:has(select[name=agent]) summary")
	sup.Click("select[name=agent] option[value='ana@example.com']")
	sup.Click("form[action$='/assign'] button")
	// The page before the post has #facts too: wait for the assignment
	// itself, not for a page.
	for deadline := time.Now().Add(10 * time.Second); s.Complaint(c.ID).Assignee != "ana@example.com"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after the supervisor assigned it the assignee is %q", s.Complaint(c.ID).Assignee)
		}
	}
	sup.WaitFor("#facts")
	sup.Open(s.BaseURL + "/console/supervisor")
	sup.WaitFor("svg")
	if n := sup.Count("svg[role=img]"); n < 4 {
		t.Errorf("the supervisor view draws %d charts; want 4", n)
	}
	screenshot(sup, "console-supervisor-zh")

	agent := redresstest.StartBrowserSized(t, "en", 1280, 900)
	signInBrowser(t, s, agent, "ana@example.com")
	agent.Open(s.BaseURL + "/console/supervisor")
	agent.WaitForText("main", "may not open this page")
}
