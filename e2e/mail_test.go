package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/devstack"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/tokens"
)

// mailPolicy keeps the clocks out of the way and the reopen window short, so
// that a resolved complaint closes within the test.
const mailPolicy = `reopen_within: 3s`

// sendMail hands a mail to the stack's listener as a sending server does.
func sendMail(s *redresstest.Stack, from, to, raw string) error {
	return smtp.SendMail(s.MailAddr, nil, from, []string{to}, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
}

func mustSend(t *testing.T, s *redresstest.Stack, from, to, raw string) {
	t.Helper()
	if err := sendMail(s, from, to, raw); err != nil {
		t.Fatalf("send mail to %s: %v", to, err)
	}
}

// smtpCode is the reply code of a refused mail, 0 when it was taken.
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

type mailedComplaint struct {
	redress.Complaint
	ReplyAddress string `json:"reply_address"`
}

// complaintBySubject is the one complaint with that subject; it fails the
// test when there is none or more than one.
func complaintBySubject(t *testing.T, s *redresstest.Stack, subject string) mailedComplaint {
	t.Helper()
	var page struct{ Items []redress.Complaint }
	ok(t, "list", s.Do("GET", "/v1/complaints?limit=200", "dev-agent", nil), http.StatusOK).JSON(t, &page)
	var found []string
	for _, c := range page.Items {
		if c.Subject == subject {
			found = append(found, c.ID)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d complaints have the subject %q, want 1", len(found), subject)
	}
	var c mailedComplaint
	ok(t, "get", s.Do("GET", "/v1/complaints/"+found[0], "dev-agent", nil), http.StatusOK).JSON(t, &c)
	return c
}

func lastLine(c *redress.Complaint, kind string) string {
	for i := len(c.Timeline) - 1; i >= 0; i-- {
		if c.Timeline[i].Kind == kind {
			return c.Timeline[i].Detail
		}
	}
	return ""
}

func count(c *redress.Complaint, kind string) int {
	n := 0
	for _, e := range c.Timeline {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// A customer's mail becomes a complaint, its receipt carries the reply
// address, the customer's reply joins the timeline and ends waiting on the
// customer, a retried mail is applied once, and after the resolution a
// reply reopens the complaint while one after close opens a new complaint.
func TestMailBecomesAComplaintAndItsRepliesJoinIt(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: mailPolicy, Mail: true})
	complaints := "complaints@" + redresstest.InboundDomain
	mustSend(t, s, "wang.fang@example.cn", complaints, `From: Wang Fang <Wang.Fang@example.cn>
To: complaints@redress.test
Subject: Kettle stopped heating
Message-ID: <first-mail@example.cn>
Date: Fri, 04 Dec 2026 10:00:00 +0800
Content-Type: text/plain; charset=utf-8

The kettle I bought last week stopped heating.
Order 77-1234.

--
Wang Fang
Sent from my phone
`)
	c := complaintBySubject(t, s, "Kettle stopped heating")
	if c.Channel != redress.ChannelEmail || strings.Contains(c.Description, "Sent from my phone") ||
		!strings.Contains(c.Description, "stopped heating") {
		t.Errorf("the complaint: channel %s, description %q; want email, the signature trimmed", c.Channel, c.Description)
	}
	if !strings.HasPrefix(c.ReplyAddress, "reply+") || !strings.HasSuffix(c.ReplyAddress, "@"+redresstest.InboundDomain) {
		t.Errorf("reply_address = %q", c.ReplyAddress)
	}
	cu := getCustomer(t, s, c.CustomerID)
	if cu.Email != "wang.fang@example.cn" || cu.Name != "Wang Fang" || cu.Language != "en" {
		t.Errorf("the customer = %+v", cu.Customer)
	}

	receipt := s.Mailbox.WaitFor(t, 10*time.Second, "receipt", func(m redresstest.Mail) bool {
		return strings.Contains(m.Header("Subject"), "We received your complaint")
	})
	if receipt.To[0] != "wang.fang@example.cn" || receipt.Header("Reply-To") != c.ReplyAddress ||
		receipt.Header("Auto-Submitted") != "auto-replied" || receipt.Header("In-Reply-To") != "<first-mail@example.cn>" ||
		!strings.HasSuffix(receipt.Header("Message-ID"), "@"+redresstest.InboundDomain+">") {
		t.Errorf("the receipt's headers: To %v, Reply-To %q, Auto-Submitted %q, In-Reply-To %q, Message-ID %q",
			receipt.To, receipt.Header("Reply-To"), receipt.Header("Auto-Submitted"), receipt.Header("In-Reply-To"), receipt.Header("Message-ID"))
	}

	// The agent asks; the customer answers the receipt from a mail client
	// that quotes it.
	ok(t, "ask", s.Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), http.StatusOK)
	ok(t, "ask", s.Do("POST", "/v1/complaints/"+c.ID+"/updates", "dev-agent",
		map[string]any{"message": "Which model is it?", "waiting_on_customer": true}), http.StatusOK)
	answer := fmt.Sprintf(`From: Wang Fang <wang.fang@example.cn>
To: %s
Subject: Re: We received your complaint: Kettle stopped heating
Message-ID: <second-mail@example.cn>
In-Reply-To: %s
References: <first-mail@example.cn> %s
Content-Type: text/plain; charset=utf-8

It is the KT-200, the white one.

On Fri, 4 Dec 2026 at 10:01, Redress <care@redress.test> wrote:
> Thank you for telling us.
`, c.ReplyAddress, receipt.Header("Message-ID"), receipt.Header("Message-ID"))
	mustSend(t, s, "wang.fang@example.cn", c.ReplyAddress, answer)
	got := s.Complaint(c.ID)
	if got.Status != redress.StatusInProgress || lastLine(got, redress.KindCustomerReply) != "It is the KT-200, the white one." {
		t.Fatalf("after the reply: status %s, reply %q", got.Status, lastLine(got, redress.KindCustomerReply))
	}
	for _, e := range got.Timeline {
		if e.Kind == redress.KindCustomerReply && e.By != redress.ByCustomerMail {
			t.Errorf("the reply was made by %q, want %q", e.By, redress.ByCustomerMail)
		}
	}
	// The sending server, never told 250, sends it again: applied once.
	mustSend(t, s, "wang.fang@example.cn", c.ReplyAddress, answer)
	if n := count(s.Complaint(c.ID), redress.KindCustomerReply); n != 1 {
		t.Errorf("the reply sent twice is %d lines, want 1", n)
	}

	// Resolved: a reply by In-Reply-To alone, to complaints@, reopens it.
	ok(t, "resolve", s.Do("POST", "/v1/complaints/"+c.ID+"/resolve", "dev-agent",
		map[string]any{"resolution_type": "replacement", "summary": "A new kettle is on its way", "root_cause": "product_defect"}), http.StatusOK)
	mustSend(t, s, "wang.fang@example.cn", complaints, fmt.Sprintf(`From: wang.fang@example.cn
To: complaints@redress.test
Subject: Re: Kettle stopped heating
Message-ID: <third-mail@example.cn>
In-Reply-To: %s
Content-Type: text/plain; charset=utf-8

The new one has the same fault.
`, receipt.Header("Message-ID")))
	if got := s.Complaint(c.ID); got.Status != redress.StatusReopened {
		t.Errorf("a reply after the resolution left the complaint %s, want reopened", got.Status)
	}

	// Closed: the next mail on the thread opens a complaint naming it.
	ok(t, "resolve again", s.Do("POST", "/v1/complaints/"+c.ID+"/resolve", "dev-agent",
		map[string]any{"resolution_type": "refund", "summary": "Refunded", "root_cause": "product_defect"}), http.StatusOK)
	s.WaitFor(c.ID, 20*time.Second, "closed by silence", func(c *redress.Complaint) bool { return c.Status == redress.StatusClosed })
	mustSend(t, s, "wang.fang@example.cn", c.ReplyAddress, `From: wang.fang@example.cn
Subject: Re: Kettle stopped heating
Message-ID: <fourth-mail@example.cn>
Content-Type: text/plain; charset=utf-8

And the refund never arrived.
`)
	if n := count(s.Complaint(c.ID), redress.KindCustomerReply); n != 1 {
		t.Errorf("the closed complaint took the mail: %d replies", n)
	}
	var page struct{ Items []redress.Complaint }
	s.Do("GET", "/v1/complaints?customer_id="+c.CustomerID, "dev-agent", nil).JSON(t, &page)
	if len(page.Items) != 2 {
		t.Fatalf("the customer has %d complaints, want the first and the one after its close", len(page.Items))
	}
	next := page.Items[0]
	if next.ID == c.ID {
		next = page.Items[1]
	}
	next = *s.Complaint(next.ID)
	if next.Subject != "Kettle stopped heating" || next.Description != "And the refund never arrived." ||
		!strings.Contains(lastLine(&next, redress.KindReceived), c.ID) {
		t.Errorf("the complaint after close: subject %q, description %q, received %q; want it to name %s",
			next.Subject, next.Description, lastLine(&next, redress.KindReceived), c.ID)
	}
}

// Machine mail opens nothing and is counted; mail for other addresses,
// forged reply addresses and mail over 25 MiB are refused; a sender over
// its limit is told to retry later; a GBK mail from a Chinese client
// arrives readable.
func TestMailNoiseAndLimits(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Mail: true,
		RateLimits: &config.RateLimits{Mail: config.Rate{PerSecond: 1.0 / 3600, Burst: 2}}})
	complaints := "complaints@" + redresstest.InboundDomain
	machine := map[string]string{
		"auto_submitted": "Auto-Submitted: auto-replied\n",
		"precedence":     "Precedence: bulk\n",
		"autoreply":      "X-Autoreply: yes\n",
		"list":           "List-Id: <news.example.cn>\n",
		"loop":           "X-Loop: redress@" + redresstest.InboundDomain + "\n",
	}
	for reason, header := range machine {
		mustSend(t, s, "robot@example.cn", complaints, "From: robot@example.cn\nSubject: Out of office "+reason+"\nMessage-ID: <"+reason+"@example.cn>\n"+header+"\nI am away.\n")
	}
	if err := sendMail(s, "", complaints, "From: MAILER-DAEMON@example.cn\nSubject: Undeliverable\n\nYour mail could not be delivered.\n"); err != nil {
		t.Errorf("a bounce from the null sender: %v, want it taken and dropped", err)
	}
	if n := countComplaints(t, s); n != 0 {
		t.Errorf("machine mail opened %d complaints", n)
	}
	m := scrape(t, s)
	for reason := range machine {
		if v, _ := m.Value("redress_inbound_mail_dropped_total", "reason", reason); v != 1 {
			t.Errorf("dropped{reason=%q} = %v, want 1", reason, v)
		}
	}
	if v, _ := m.Value("redress_inbound_mail_dropped_total", "reason", "null_sender"); v != 1 {
		t.Errorf("dropped{reason=null_sender} = %v, want 1", v)
	}

	for _, to := range []string{"someone@" + redresstest.InboundDomain, "complaints@elsewhere.example",
		"reply+0192a3b4c5d6e7f8091a2b3c4d5e6f70.aaaaaaaaaaaaaaaa@" + redresstest.InboundDomain} {
		if code := smtpCode(sendMail(s, "li@example.cn", to, "From: li@example.cn\nSubject: Hello\n\nHi\n")); code != 550 {
			t.Errorf("mail to %s: code %d, want 550", to, code)
		}
	}
	huge := "From: li@example.cn\nSubject: Photos\n\n" + strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", 26<<20/65)
	if code := smtpCode(sendMail(s, "li@example.cn", complaints, huge)); code != 552 {
		t.Errorf("a mail over 25 MiB: code %d, want 552", code)
	}

	for i := range 3 {
		code := smtpCode(sendMail(s, "busy@example.cn", complaints, fmt.Sprintf("From: busy@example.cn\nSubject: Mail %d\n\nAgain.\n", i)))
		if want := map[bool]int{true: 0, false: 450}[i < 2]; code != want {
			t.Errorf("mail %d from one sender within its limit of 2: code %d, want %d", i+1, code, want)
		}
	}

	// A photo is kept on the complaint; a program is left out, not the mail.
	png := redresstest.PNG(3000, 7)
	var photo strings.Builder // wrapped at 76, as mail clients send it
	for encoded := base64.StdEncoding.EncodeToString(png); encoded != ""; {
		n := min(76, len(encoded))
		photo.WriteString(encoded[:n] + "\n")
		encoded = encoded[n:]
	}
	mustSend(t, s, "li.na@example.cn", complaints, `From: li.na@example.cn
Subject: Cracked screen
Message-ID: <photo-mail@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

The screen arrived cracked, photo attached.
--b1
Content-Type: image/png; name="crack.png"
Content-Disposition: attachment; filename="crack.png"
Content-Transfer-Encoding: base64

`+photo.String()+`
--b1
Content-Type: application/octet-stream; name="setup.exe"
Content-Disposition: attachment; filename="setup.exe"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==
--b1--
`)
	cracked := complaintBySubject(t, s, "Cracked screen")
	if len(cracked.Attachments) != 1 || cracked.Attachments[0].Filename != "crack.png" ||
		cracked.Attachments[0].From != redress.AttachmentFromCustomer || cracked.Attachments[0].Size != int64(len(png)) {
		t.Errorf("the mail's attachments: %+v; want crack.png alone, the customer's", cracked.Attachments)
	}
	// The customer's tracking page lists the file and its link downloads it.
	token := tokens.NewSigner(s.Config.TokenSecret, "").Tracking(cracked.ID)
	page := s.Do("GET", "/track/"+token, "", nil)
	link := "/v1/track/" + token + "/attachments/" + cracked.Attachments[0].ID
	if !strings.Contains(string(page.Body), link) || !strings.Contains(string(page.Body), "crack.png") {
		t.Errorf("the tracking page does not list the file:\n%s", page.Body)
	}
	if r := s.Do("GET", link, "", nil); r.Status != http.StatusOK || !bytes.Equal(r.Body, png) {
		t.Errorf("the file through the tracking page's link: %d, %d bytes", r.Status, len(r.Body))
	}

	// GBK, as Foxmail and older Outlook send Chinese mail.
	gbk := func(s string) string {
		b, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	subject := "=?GBK?B?" + base64.StdEncoding.EncodeToString([]byte(gbk("水壶坏了"))) + "?="
	raw := "From: =?GBK?B?" + base64.StdEncoding.EncodeToString([]byte(gbk("张伟"))) + "?= <zhang.wei@example.cn>\n" +
		"Subject: " + subject + "\nMessage-ID: <gbk-mail@example.cn>\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: 8bit\n\n" +
		gbk("上周买的水壶不加热了，请尽快处理。\n\n张伟\n")
	mustSend(t, s, "zhang.wei@example.cn", complaints, raw)
	c := complaintBySubject(t, s, "水壶坏了")
	if !strings.Contains(c.Description, "上周买的水壶不加热了") {
		t.Errorf("the GBK mail's description = %q", c.Description)
	}
	if cu := getCustomer(t, s, c.CustomerID); cu.Name != "张伟" || cu.Language != "zh" {
		t.Errorf("the GBK mail's customer = %+v", cu.Customer)
	}
}

// The listener answers 250 only after the commit: while PostgreSQL is down
// the sending server is told to retry (451) and keeps the mail; a mail
// whose 250 was lost is retried and is still one complaint.
func TestMailIsNeverLostOrDoubled(t *testing.T) {
	pg, dir := stoppablePostgres(t)
	s := redresstest.StartStack(t, redresstest.StackOptions{DatabaseURL: pg.URL("redress"), Mail: true})
	complaints := "complaints@" + redresstest.InboundDomain
	mail := "From: chen@example.cn\nSubject: Double charge\nMessage-ID: <outage-mail@example.cn>\n\nI was charged twice for order 55.\n"

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if code := smtpCode(sendMail(s, "chen@example.cn", complaints, mail)); code/100 != 4 {
		t.Errorf("mail while PostgreSQL is down: code %d, want 4xx so the sender retries", code)
	}
	restarted, err := devstack.StartPostgres(context.Background(), dir, "redress")
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Stop()
	retried := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if err := sendMail(s, "chen@example.cn", complaints, mail); err == nil {
			retried = true
			break
		}
	}
	if !retried {
		t.Fatal("the retried mail was not taken after PostgreSQL came back")
	}
	// The 250 of that retry lost on the way: the sender sends it again.
	mustSend(t, s, "chen@example.cn", complaints, mail)
	c := complaintBySubject(t, s, "Double charge")
	if c.Status != redress.StatusReceived {
		t.Errorf("the complaint is %s", c.Status)
	}
	if v, _ := scrape(t, s).Value("redress_inbound_mail_taken_total", "result", "retried"); v != 1 {
		t.Errorf("taken{result=retried} = %v, want 1", v)
	}
	s.Close()
}
