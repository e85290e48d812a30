package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// An agent sends a file with an update: the customer then sees and
// downloads it on the tracking page, the update's event names it and the
// customer's mail says so. A file of another complaint, the customer's own
// file, an unknown id and a refused update share nothing.
func TestAgentSendsFilesWithAReply(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy, Mail: true})
	c, other := file(t, s, newComplaint("crm-reply-files")), file(t, s, newComplaint("crm-reply-files-other"))
	var invoice, elsewhere, customers redress.Attachment
	ok(t, "the agent's PDF", upload(s, c.ID, "dev-agent", "invoice.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj\n%%EOF\n")), http.StatusCreated).JSON(t, &invoice)
	ok(t, "another complaint's PDF", upload(s, other.ID, "dev-agent", "other.pdf", "application/pdf", []byte("%PDF-1.7\n2 0 obj\n%%EOF\n")), http.StatusCreated).JSON(t, &elsewhere)
	ok(t, "the customer's photo", upload(s, c.ID, "dev-intake", "kettle.png", "image/png", redresstest.Photo(40, 30)), http.StatusCreated).JSON(t, &customers)
	track := func() (view struct{ Attachments []redress.Attachment }) {
		ok(t, "track", s.Do("GET", "/v1/track/"+c.TrackingToken, "", nil), http.StatusOK).JSON(t, &view)
		return view
	}
	if got := track().Attachments; len(got) != 1 || got[0].ID != customers.ID {
		t.Fatalf("before the reply the customer sees %+v; want their photo alone", got)
	}

	for _, bad := range []struct {
		name string
		ids  []string
	}{
		{"another complaint's file", []string{elsewhere.ID}},
		{"the customer's own file", []string{customers.ID}},
		{"an unknown id", []string{"0193a0d4-0000-7000-8000-000000000000"}},
		{"not an id", []string{"../invoice.pdf"}},
	} {
		r := s.Do("POST", "/v1/complaints/"+c.ID+"/updates", "dev-agent", map[string]any{"message": "See the file", "attachments": bad.ids})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "attachments") {
			t.Errorf("%s: %d %s; want 422 naming attachments", bad.name, r.Status, r.Body)
		}
	}
	if n := count(s.Complaint(c.ID), redress.KindUpdate); n != 0 {
		t.Fatalf("refused updates wrote %d lines", n)
	}

	ok(t, "the update with the invoice", s.Do("POST", "/v1/complaints/"+c.ID+"/updates", "dev-agent",
		map[string]any{"message": "Here is the corrected invoice.", "attachments": []string{invoice.ID}}), http.StatusOK)
	seen := track().Attachments
	if len(seen) != 2 || !slices.ContainsFunc(seen, func(a redress.Attachment) bool { return a.ID == invoice.ID && a.Shared }) {
		t.Errorf("after the reply the customer sees %+v; want their photo and the invoice", seen)
	}
	download := s.Do("GET", "/v1/track/"+c.TrackingToken+"/attachments/"+invoice.ID, "", nil)
	if download.Status != http.StatusOK || !strings.HasPrefix(string(download.Body), "%PDF") {
		t.Errorf("the customer's download of the invoice: %d", download.Status)
	}
	if r := s.Do("GET", "/v1/track/"+other.TrackingToken+"/attachments/"+invoice.ID, "", nil); r.Status != http.StatusNotFound {
		t.Errorf("another complaint's link downloads the invoice: %d", r.Status)
	}
	events, err := s.DB.Events(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var files any
	for _, e := range events {
		if e.Type == redress.EventUpdated {
			files = e.Data["files"]
		}
	}
	if list, _ := files.([]any); len(list) != 1 || list[0] != "invoice.pdf" {
		t.Errorf("the update's event names the files %v; want [invoice.pdf]", files)
	}
	mail := s.Mailbox.WaitFor(t, 10*time.Second, "the update's mail", func(m redresstest.Mail) bool {
		return strings.Contains(m.Data, "corrected invoice")
	})
	if !strings.Contains(mail.Data, "we sent you invoice.pdf") {
		t.Errorf("the update's mail does not name the file:\n%s", mail.Data)
	}

	// A closed complaint takes no reply: the file stays the agent's.
	var late redress.Attachment
	ok(t, "resolve", s.Do("POST", "/v1/complaints/"+other.ID+"/resolve", "dev-agent",
		map[string]any{"resolution_type": "refund", "summary": "Refunded", "root_cause": "logistics"}), http.StatusOK)
	ok(t, "a file after the resolution", upload(s, other.ID, "dev-agent", "late.pdf", "application/pdf", []byte("%PDF-1.7\n3 0 obj\n%%EOF\n")), http.StatusCreated).JSON(t, &late)
	if r := s.Do("POST", "/v1/complaints/"+other.ID+"/updates", "dev-agent",
		map[string]any{"message": "Late", "attachments": []string{late.ID}}); r.Status != http.StatusConflict {
		t.Errorf("an update to a resolved complaint: %d %s", r.Status, r.Body)
	}
	var view struct{ Attachments []redress.Attachment }
	ok(t, "track the other", s.Do("GET", "/v1/track/"+other.TrackingToken, "", nil), http.StatusOK).JSON(t, &view)
	if len(view.Attachments) != 0 {
		t.Errorf("a refused update shared %+v", view.Attachments)
	}
}

// In the console an agent sees the customer's photo as a thumbnail and
// sends a file with a reply, which the customer then finds on the
// tracking page.
func TestConsoleShowsFilesAndSendsThemWithAReply(t *testing.T) {
	s := consoleStack(t)
	c := file(t, s, newComplaint("crm-console-files"))
	ok(t, "the customer's photo", upload(s, c.ID, "dev-intake", "broken-lid.png", "image/png", redresstest.Photo(800, 600)), http.StatusCreated)
	ok(t, "the customer's scan", upload(s, c.ID, "dev-intake", "receipt.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj\n%%EOF\n")), http.StatusCreated)

	agent := redresstest.StartBrowserSized(t, "en", 1280, 900)
	signInBrowser(t, s, agent, "ana@example.com")
	agent.Open(s.BaseURL + "/console/complaints/" + c.ID)
	agent.WaitFor("#attachments img.thumb")
	width := func() any {
		return agent.Script("var i = document.querySelector('#attachments img.thumb'); return i.complete ? i.naturalWidth : -1")
	}
	for deadline := time.Now().Add(5 * time.Second); width() == float64(-1) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if w := width(); w != float64(240) {
		t.Errorf("the thumbnail is %v pixels wide; want 240", w)
	}
	if n := agent.Count("#attachments img.thumb"); n != 1 {
		t.Errorf("%d thumbnails; want one, for the photo (the PDF has none)", n)
	}
	if !strings.Contains(agent.Text("#attachments"), "receipt.pdf") {
		t.Error("the PDF is not listed")
	}
	letter := filepath.Join(t.TempDir(), "replacement-voucher.pdf")
	if err := os.WriteFile(letter, []byte("%PDF-1.7\nvoucher\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	agent.Click("details:has(#reply-message) summary")
	agent.Type("#reply-message", "Your voucher for a new lid is attached.")
	agent.Type("#reply-files", letter)
	agent.Click("form[action$='/reply'] button")
	agent.WaitForText("#timeline", "Your voucher for a new lid is attached.")
	agent.WaitForText("#attachments", "sent to the customer")
	screenshot(agent, "console-complaint-files")

	customer := redresstest.StartBrowser(t, "en")
	customer.Open(s.BaseURL + "/track/" + c.TrackingToken)
	page := customer.Text("main")
	if !strings.Contains(page, "replacement-voucher.pdf") || !strings.Contains(page, "broken-lid.png") {
		t.Errorf("the tracking page lists:\n%s", page)
	}
	var kept redress.Attachment
	for _, a := range s.Complaint(c.ID).Attachments {
		if a.Filename == "replacement-voucher.pdf" {
			kept = a
		}
	}
	if kept.From != redress.AttachmentFromStaff || !kept.Shared {
		t.Errorf("the voucher is kept as %+v", kept)
	}
	got := s.Complaint(c.ID)
	if i := slices.IndexFunc(got.Timeline, func(e redress.TimelineEntry) bool { return strings.Contains(e.Detail, "replacement-voucher.pdf") }); i < 0 ||
		got.Timeline[i].By != "user:ana@example.com" {
		t.Errorf("the voucher's line is not recorded as the signed-in agent's: %+v", got.Timeline)
	}
}
