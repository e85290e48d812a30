package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

// A customer's points where people read them: the console's customer page
// for staff, and the portal for the customer in a real browser, in English
// and in Chinese.
func TestPointsOnTheConsoleAndThePortal(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Mail: true})
	s.AddStaff("ana@example.com", "Ana Agent", "agent", staffPassword)
	c := file(t, s, complaintFor(map[string]any{"external_id": "crm-points", "email": "points@example.cn"}, "Kettle leaks"))
	ok(t, "purchase", s.Do("POST", "/v1/customers/"+c.CustomerID+"/purchases", "dev-intake", map[string]any{
		"amount": 2500, "currency": "CNY", "at": time.Now().UTC().Format(time.RFC3339)}), 201)
	ok(t, "redeem", s.Do("POST", "/v1/customers/"+c.CustomerID+"/points/redeem", "dev-intake",
		map[string]any{"points": 1000, "reference": "SO-77"}), 201)

	// Silver at 2,000 CNY: 2,500 earn 3,000 points at 1.2 a yuan; 1,000 spent.
	ana := s.SignIn("ana@example.com", staffPassword)
	page := ana.Get("/console/customers/" + c.CustomerID)
	for _, want := range []string{`id="customer-points">2000<`, "Silver", "SO-77", "earned", "redeemed", "3000", "-1000"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the console's customer page lacks %q", want)
		}
	}

	shots := os.Getenv("REDRESS_SCREENSHOTS")
	for _, tt := range []struct{ lang, browser, want, ledger string }{
		{"en", "en", "You have 2000 points.", "redeemed · -1000 · SO-77"},
		{"zh", "zh-CN", "您有 2000 积分。", "已兑换 · -1000 · SO-77"},
	} {
		v := newPortalVisit(t, s)
		_, form := v.get("/my?lang=" + tt.lang)
		before := len(s.Mailbox.Mails())
		if status, _ := v.post("/my", form, url.Values{"email": {"points@example.cn"}, "lang": {tt.lang}}); status != http.StatusOK {
			t.Fatalf("asking for a link in %s: %d", tt.lang, status)
		}
		var found string
		s.Mailbox.WaitFor(t, 10*time.Second, "the sign-in link", func(redresstest.Mail) bool {
			for _, m := range s.Mailbox.Mails()[before:] { // this visit's
				if found = signInLink.FindString(strings.ReplaceAll(m.Data, "=\r\n", "")); found != "" {
					return true
				}
			}
			return false
		})
		link, err := url.Parse(found)
		if err != nil || link.Path == "" {
			t.Fatalf("no link in the mail: %q", found)
		}
		b := redresstest.StartBrowser(t, tt.browser)
		b.Open(s.BaseURL + link.RequestURI())
		b.WaitForText("#points", tt.want)
		if got := b.Text("#points-ledger"); !strings.Contains(got, tt.ledger) {
			t.Errorf("%s: the portal's ledger %q lacks %q", tt.lang, got, tt.ledger)
		}
		if !strings.Contains(b.Text("#complaints"), "Kettle leaks") {
			t.Errorf("%s: the portal lacks the complaint: %q", tt.lang, b.Text("main"))
		}
		if shots != "" {
			b.Screenshot(filepath.Join(shots, "portal-points-"+tt.lang+".png"))
		}
	}
}
