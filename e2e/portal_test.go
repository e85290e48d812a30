package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

var (
	csrfField  = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
	signInLink = regexp.MustCompile(`https?://\S+/my/sign-in/\S+`)
)

// portalVisit is one customer's browser without JavaScript.
type portalVisit struct {
	t      *testing.T
	client *http.Client
	base   string
}

func newPortalVisit(t *testing.T, s *redresstest.Stack) *portalVisit {
	jar, _ := cookiejar.New(nil)
	return &portalVisit{t: t, client: &http.Client{Jar: jar}, base: s.BaseURL}
}

func (v *portalVisit) get(path string) (int, string) {
	v.t.Helper()
	resp, err := v.client.Get(v.base + path)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (v *portalVisit) post(path, page string, values url.Values) (int, string) {
	v.t.Helper()
	if m := csrfField.FindStringSubmatch(page); m != nil {
		values.Set("_csrf", m[1])
	}
	resp, err := v.client.PostForm(v.base+path, values)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A customer asks for a sign-in link, opens it once, and sees the
// complaints of every customer record with their address, and no one
// else's; the link works once; an unknown address is answered alike and
// mailed nothing.
func TestPortalShowsTheCustomersOwnComplaints(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Mail: true})
	file(t, s, complaintFor(map[string]any{"external_id": "crm-mother", "email": "family@example.cn"}, "Fridge is noisy"))
	file(t, s, complaintFor(map[string]any{"external_id": "crm-son", "email": "family@example.cn"}, "Oven door broke"))
	file(t, s, complaintFor(map[string]any{"external_id": "crm-other", "email": "other@example.cn"}, "Not yours"))

	v := newPortalVisit(t, s)
	_, page := v.get("/my?lang=en")
	status, page := v.post("/my", page, url.Values{"email": {"Family@Example.cn"}, "lang": {"en"}})
	if status != http.StatusOK || !strings.Contains(page, "on its way") {
		t.Fatalf("asking for a link: %d", status)
	}
	mail := s.Mailbox.WaitFor(t, 10*time.Second, "the sign-in link", func(m redresstest.Mail) bool {
		return strings.Contains(m.Data, "/my/sign-in/")
	})
	if mail.To[0] != "family@example.cn" {
		t.Errorf("the link went to %v", mail.To)
	}
	link := signInLink.FindString(strings.ReplaceAll(mail.Data, "=\r\n", ""))
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Fatalf("no link in the mail: %s", mail.Data)
	}
	status, page = v.get(u.RequestURI())
	if status != http.StatusOK || !strings.Contains(page, "Fridge is noisy") || !strings.Contains(page, "Oven door broke") ||
		strings.Contains(page, "Not yours") || strings.Count(page, "/track/") != 2 {
		t.Errorf("signed in: %d, want both family complaints and no other:\n%s", status, page)
	}

	// The link works once; another visitor cannot reuse it.
	stranger := newPortalVisit(t, s)
	if status, page := stranger.get(u.RequestURI()); status != http.StatusGone || strings.Contains(page, "Fridge") {
		t.Errorf("the link again: %d", status)
	}
	if status, page := stranger.get("/my/complaints"); status != http.StatusOK || strings.Contains(page, "Fridge") {
		t.Errorf("the list without a session: %d", status)
	}

	// Sign out ends the session.
	_, page = v.get("/my/complaints")
	if status, _ := v.post("/my/sign-out", page, url.Values{}); status != http.StatusOK {
		t.Errorf("sign out: %d", status)
	}
	if _, page := v.get("/my/complaints"); strings.Contains(page, "Fridge") {
		t.Error("the list after sign out")
	}

	// An address nobody has: the same answer, and no mail.
	before := len(s.Mailbox.Mails())
	_, page = stranger.get("/my?lang=en")
	if status, page := stranger.post("/my", page, url.Values{"email": {"nobody@example.cn"}}); status != http.StatusOK || !strings.Contains(page, "on its way") {
		t.Errorf("an unknown address: %d", status)
	}
	time.Sleep(time.Second)
	for _, m := range s.Mailbox.Mails()[before:] {
		if strings.Contains(m.Data, "/my/sign-in/") {
			t.Errorf("a link was mailed for an unknown address to %v", m.To)
		}
	}
	// A post without the form's CSRF token changes nothing.
	if status, _ := newPortalVisit(t, s).post("/my", "", url.Values{"email": {"family@example.cn"}}); status != http.StatusForbidden {
		t.Errorf("a post without a CSRF token: %d", status)
	}
}

// The portal in a real browser, in Chinese.
func TestPortalInABrowser(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Mail: true})
	file(t, s, complaintFor(map[string]any{"external_id": "crm-zh", "email": "zhang@example.cn"}, "快递丢失"))
	b := redresstest.StartBrowser(t, "zh-CN")
	b.Open(s.BaseURL + "/my")
	if got := b.Text("h1"); got != "您的投诉" {
		t.Errorf("title %q", got)
	}
	b.Type("#email", "zhang@example.cn")
	b.Click("#send")
	b.WaitFor("#sent")
	mail := s.Mailbox.WaitFor(t, 10*time.Second, "the sign-in link", func(m redresstest.Mail) bool {
		return strings.Contains(m.Data, "/my/sign-in/")
	})
	if !strings.Contains(mail.Header("Content-Language"), "zh") {
		t.Errorf("the sign-in mail's language: %q", mail.Header("Content-Language"))
	}
	u, _ := url.Parse(signInLink.FindString(mail.Data))
	b.Open(s.BaseURL + u.RequestURI())
	b.WaitFor("#complaints")
	if page := b.Text("main"); !strings.Contains(page, "快递丢失") || !strings.Contains(page, "已受理") {
		t.Errorf("the list: %s", page)
	}
}
