package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// Canned replies: supervisors write them, with their fields checked when
// saved; agents read them and fill one in for a complaint, in its
// customer's language, with its tracking link and due time; in the
// console the reply box fills one in and sends it.
func TestCannedReplies(t *testing.T) {
	s := consoleStack(t)
	macro := map[string]any{"name": "Ask for a photo", "texts": map[string]string{
		"en": "Dear {{customer.name}}, please send us a photo of it by {{resolve_due_at}}: {{tracking_url}}",
		"zh": "{{customer.name}}您好，请在 {{resolve_due_at}} 前发给我们一张照片：{{tracking_url}}"}}
	ok(t, "an agent writes one", s.Do("POST", "/v1/macros", "dev-agent", macro), http.StatusForbidden)
	var saved redress.Macro
	ok(t, "a supervisor writes one", s.Do("POST", "/v1/macros", "dev-supervisor", macro), http.StatusCreated).JSON(t, &saved)
	if saved.ID == "" || saved.UpdatedBy != "key:dev-supervisor" {
		t.Errorf("saved as %+v", saved)
	}
	for _, bad := range []struct {
		name   string
		body   map[string]any
		status int
		want   string
	}{
		{"an unknown field", map[string]any{"name": "Bad", "texts": map[string]string{"en": "Hi {{customer.phone}}"}}, 422, "customer.phone"},
		{"a template action", map[string]any{"name": "Bad", "texts": map[string]string{"en": `{{template "x"}}`}}, 422, "texts.en"},
		{"the same name", macro, 409, "name"},
		{"an unknown key", map[string]any{"name": "Bad", "texts": map[string]string{"en": "Hi"}, "body": "x"}, 422, "body"},
	} {
		r := s.Do("POST", "/v1/macros", "dev-supervisor", bad.body)
		if r.Status != bad.status || !strings.Contains(string(r.Body), bad.want) {
			t.Errorf("%s: %d %s; want %d naming %q", bad.name, r.Status, r.Body, bad.status, bad.want)
		}
	}
	var list struct{ Items []redress.Macro }
	ok(t, "an agent lists them", s.Do("GET", "/v1/macros", "dev-agent", nil), http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("%d macros listed", len(list.Items))
	}

	chinese := file(t, s, map[string]any{"customer": map[string]any{"external_id": "crm-macro-zh", "name": "王芳", "email": "wang@example.cn", "language": "zh"},
		"channel": "web", "subject": "热水壶漏水", "description": "热水壶底座漏水，用了一周。"})
	english := file(t, s, newComplaint("crm-macro-en"))
	var filled struct{ Language, Text string }
	ok(t, "fill in Chinese", s.Do("GET", "/v1/complaints/"+chinese.ID+"/macros/"+saved.ID, "dev-agent", nil), http.StatusOK).JSON(t, &filled)
	due := s.Complaint(chinese.ID).ResolveDueAt
	shanghai, _ := redress.LoadZone("Asia/Shanghai")
	if filled.Language != "zh" || !strings.HasPrefix(filled.Text, "王芳您好") || !strings.Contains(filled.Text, "/track/"+chinese.TrackingToken) ||
		!strings.Contains(filled.Text, due.In(shanghai).Format("2006-01-02 15:04")) {
		t.Errorf("filled in Chinese: %+v (due %s)", filled, due)
	}
	ok(t, "fill in English", s.Do("GET", "/v1/complaints/"+english.ID+"/macros/"+saved.ID, "dev-agent", nil), http.StatusOK).JSON(t, &filled)
	if filled.Language != "en" || !strings.HasPrefix(filled.Text, "Dear Li Wei, please send") {
		t.Errorf("filled in English: %+v", filled)
	}

	agent := redresstest.StartBrowserSized(t, "en", 1280, 900)
	signInBrowser(t, s, agent, "ana@example.com")
	agent.Open(s.BaseURL + "/console/complaints/" + english.ID)
	agent.Click("details#reply summary")
	agent.Click("#macro-form button")
	agent.WaitFor("details#reply[open]")
	// The box is filled once the page has the reply: wait for it, a while.
	got := agent.Script("return document.getElementById('reply-message').value")
	for deadline := time.Now().Add(5 * time.Second); got == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got = agent.Script("return document.getElementById('reply-message').value")
	}
	if got != filled.Text {
		t.Errorf("the reply box holds %q; want %q", got, filled.Text)
	}
	screenshot(agent, "console-canned-reply")
	agent.Click("form[action$='/reply'] button")
	agent.WaitForText("#timeline", "Dear Li Wei, please send")

	ok(t, "rename", s.Do("PUT", "/v1/macros/"+saved.ID, "dev-supervisor", map[string]any{"name": "Photo, please",
		"texts": map[string]string{"en": "Hi {{customer.name}}"}}), http.StatusOK)
	ok(t, "delete", s.Do("DELETE", "/v1/macros/"+saved.ID, "dev-supervisor", nil), http.StatusNoContent)
	ok(t, "deleted", s.Do("GET", "/v1/macros/"+saved.ID, "dev-agent", nil), http.StatusNotFound)
}
