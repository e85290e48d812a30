package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales"
	"github.com/redress-dev/redress/tokens"
)

// Recipients is what the e-mail sender reads to address, word and thread a
// message.
type Recipients interface {
	Customer(ctx context.Context, id string) (*redress.Customer, error)
	Complaint(ctx context.Context, id string) (*redress.Complaint, error)
	// CustomerMessageIDs are the Message-IDs of the customer's own mails on
	// the complaint, oldest first, so that Redress's mail joins their thread.
	CustomerMessageIDs(ctx context.Context, complaintID string) ([]string, error)
}

// Email sends the customer-facing events to the customer, worded for them,
// through an SMTP server. Other events (warnings, escalations, the account
// team's tasks) are for staff and integrators and are skipped here.
type Email struct {
	addr   string // host:port
	host   string // the server's name, for TLS and AUTH
	auth   smtp.Auth
	from   string
	domain string // of Message-IDs and reply addresses
	// replies is whether the inbound listener takes the replies, so that
	// Reply-To can be each complaint's reply address.
	replies bool
	db      Recipients
	tokens  *tokens.Signer
	// plain lets the conversation go unencrypted when the server offers
	// no STARTTLS: only a server on this machine (a relay, a test sink).
	plain bool
	zone  *time.Location // of the due times a receipt gives
}

// NewEmail reads REDRESS_SMTP_URL: smtp://[user:password@]host:port?from=address.
// Mail carries customers' words and links, so the conversation must be
// encrypted: the server's STARTTLS, verified against the system's roots;
// a server that offers none is refused, unless it is on this machine (a
// local relay, a test sink). inboundDomain, when set, is
// REDRESS_INBOUND_DOMAIN: replies go to each complaint's reply address.
func NewEmail(smtpURL, inboundDomain string, db Recipients, signer *tokens.Signer) (*Email, error) {
	u, err := url.Parse(smtpURL)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("REDRESS_SMTP_URL: want smtp://[user:password@]host:port?from=address, not %q", smtpURL)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, "25"
	}
	from := u.Query().Get("from")
	if from == "" {
		return nil, fmt.Errorf("REDRESS_SMTP_URL: add ?from=address")
	}
	e := &Email{addr: net.JoinHostPort(host, port), host: host, from: from, domain: inboundDomain,
		replies: inboundDomain != "", db: db, tokens: signer, plain: loopback(host)}
	if e.domain == "" {
		e.domain = from[strings.LastIndex(from, "@")+1:]
	}
	if u.User != nil {
		password, _ := u.User.Password()
		e.auth = smtp.PlainAuth("", u.User.Username(), password, host)
	}
	return e, nil
}

// Send mails the event to the complaint's customer when it is one for
// them, in their language (English while it is unknown).
func (e *Email) Send(ctx context.Context, ev redress.Event) error {
	tell := wording(ev)
	if tell == nil || ev.CustomerID == "" {
		return nil
	}
	customer, err := e.db.Customer(ctx, ev.CustomerID)
	if err != nil {
		return err
	}
	if customer.Email == "" {
		return nil // reached by phone or chat; the webhook tells the channel that owns them
	}
	lang := customer.Language
	if asked, ok := ev.Data["language"].(string); ok && asked != "" {
		lang = asked // the language of the page the customer asked from
	}
	words := locales.For(lang)
	subject, body := tell(words)
	threading := ""
	if ev.ComplaintID != "" {
		complaint, err := e.db.Complaint(ctx, ev.ComplaintID)
		if err != nil {
			return err
		}
		subject = words.Format("email.about", "Subject", subject, "Complaint", complaint.Subject)
		if ev.Type == redress.EventReceived {
			body += "\n\n" + e.receiptDue(words, complaint)
		}
		follow := ev.ComplaintID
		if into, _ := ev.Data["into"].(string); ev.Type == redress.EventMerged && into != "" {
			follow = into // the complaint's story goes on there
		}
		body += "\n\n" + words.Format("email.follow", "URL", e.tokens.TrackingURL(e.tokens.Tracking(follow))) + "\n"
		if threading, err = e.threadHeaders(ctx, ev); err != nil {
			return err
		}
	}
	greeting := words.Text("email.hello")
	if customer.Name != "" {
		greeting = words.Format("email.hello_name", "Name", customer.Name)
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n",
		e.from, customer.Email, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), e.messageID(ev))
	msg.WriteString(threading)
	// Out-of-office replies and mail loops stay out: RFC 3834's marker and
	// a loop header that the inbound listener recognises as its own.
	fmt.Fprintf(&msg, "Auto-Submitted: auto-replied\r\nX-Loop: %s\r\n", LoopID(e.domain))
	fmt.Fprintf(&msg, "Content-Language: %s\r\n", words.Tag())
	msg.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	msg.WriteString(strings.ReplaceAll(greeting+"\n\n"+body, "\n", "\r\n"))
	return e.mail(ctx, customer.Email, msg.Bytes())
}

// messageID is the event's mail's Message-ID: the same on every retry, so a
// mail delivered twice is one mail to the customer's client.
func (e *Email) messageID(ev redress.Event) string {
	if ev.ComplaintID == "" {
		return ev.ID + "@" + e.domain
	}
	return e.tokens.MessageID(ev.ComplaintID, ev.ID, e.domain)
}

// receiptKey is the event id of a complaint's receipt, the first mail of
// its thread.
func receiptKey(complaintID string) string { return complaintID + "-1-" + redress.EventReceived }

// threadHeaders put the mail in the complaint's thread: after the
// customer's own mails and the receipt, and with the complaint's reply
// address as Reply-To.
func (e *Email) threadHeaders(ctx context.Context, ev redress.Event) (string, error) {
	refs, err := e.db.CustomerMessageIDs(ctx, ev.ComplaintID)
	if err != nil {
		return "", err
	}
	if ev.ID != receiptKey(ev.ComplaintID) {
		refs = append(refs, e.tokens.MessageID(ev.ComplaintID, receiptKey(ev.ComplaintID), e.domain))
	}
	var h strings.Builder
	if e.replies {
		fmt.Fprintf(&h, "Reply-To: %s\r\n", e.tokens.ReplyAddress(ev.ComplaintID, e.domain))
	}
	if len(refs) > 0 {
		for i := range refs {
			refs[i] = "<" + refs[i] + ">"
		}
		fmt.Fprintf(&h, "In-Reply-To: %s\r\nReferences: %s\r\n", refs[len(refs)-1], strings.Join(refs, " "))
	}
	return h.String(), nil
}

// receiptDue tells when the customer will have an answer and a
// resolution, in the policy's zone, and where the policies are.
func (e *Email) receiptDue(words locales.Catalog, c *redress.Complaint) string {
	zone := e.zone
	if zone == nil {
		zone = time.UTC
	}
	policies := words.Format("email.policies", "URL", e.tokens.PageURL("/policies?lang="+words.Language()))
	if c.AckDueAt == nil || c.ResolveDueAt == nil {
		return policies
	}
	when := func(t time.Time) string { return t.In(zone).Format("2006-01-02 15:04 MST") }
	return words.Format("email.received_due", "Answer", when(*c.AckDueAt), "Resolve", when(*c.ResolveDueAt)) + "\n" + policies
}

// LoopID is the X-Loop value of Redress's mail from the domain; mail that
// carries it came back to Redress and opens nothing.
func LoopID(domain string) string { return "redress@" + domain }

// strs is a list of strings in an event's data, as stored (a JSON array).
func strs(v any) []string {
	var out []string
	switch list := v.(type) {
	case []string:
		return list
	case []any:
		for _, s := range list {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// wording is how the customer is told of an event, in a catalog's words,
// or nil when the event is not for the customer.
func wording(ev redress.Event) func(words locales.Catalog) (subject, body string) {
	str := func(k string) string { s, _ := ev.Data[k].(string); return s }
	plain := func(subject, body string) func(locales.Catalog) (string, string) {
		return func(words locales.Catalog) (string, string) { return words.Text(subject), words.Text(body) }
	}
	switch ev.Type {
	case redress.EventReceived:
		return plain("email.received_subject", "email.received")
	case redress.EventAcknowledged:
		return plain("email.acknowledged_subject", "email.acknowledged")
	case redress.EventUpdated:
		return func(words locales.Catalog) (string, string) {
			body := words.Format("email.updated", "Message", str("message"))
			if files := strings.Join(strs(ev.Data["files"]), ", "); files != "" {
				body += "\n\n" + words.Format("email.updated_files", "Files", files)
			}
			if waiting, _ := ev.Data["waiting_on_customer"].(bool); waiting {
				body += "\n\n" + words.Text("email.updated_waiting")
			}
			return words.Text("email.updated_subject"), body
		}
	case redress.EventResolved:
		return func(words locales.Catalog) (string, string) {
			return words.Text("email.resolved_subject"), words.Format("email.resolved", "Summary", str("summary"),
				"ReopenUntil", readableTime(str("reopen_until")))
		}
	case redress.EventReopened:
		return plain("email.reopened_subject", "email.reopened")
	case redress.EventClosed:
		return plain("email.closed_subject", "email.closed")
	case redress.EventSurveySent:
		return func(words locales.Catalog) (string, string) {
			return words.Text("email.survey_subject"), words.Format("email.survey", "URL", str("survey_url"))
		}
	case redress.EventSurveyReminded:
		return func(words locales.Catalog) (string, string) {
			return words.Text("email.survey_reminder_subject"), words.Format("email.survey_reminder", "URL", str("survey_url"))
		}
	case redress.EventPortalSignIn:
		return func(words locales.Catalog) (string, string) {
			return words.Text("email.portal_subject"), words.Format("email.portal", "URL", str("sign_in_url"))
		}
	case redress.EventWaitingReminded:
		return plain("email.waiting_reminder_subject", "email.waiting_reminder")
	case redress.EventMerged:
		return plain("email.merged_subject", "email.merged")
	case redress.EventWinbackOffered:
		return func(words locales.Catalog) (string, string) {
			return words.Text("email.winback_subject"), words.Format("email.winback", "Offer", offerText(ev, words))
		}
	}
	return nil
}

// readableTime is an RFC 3339 time of an event as a person reads it, in
// UTC as the event gives it.
func readableTime(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// offerText words a win-back offer from its terms; an event written before
// the terms came with it has only the offer's English description.
func offerText(ev redress.Event, words locales.Catalog) string {
	var terms redress.Offer
	raw, err := json.Marshal(ev.Data["terms"])
	if ev.Data["terms"] == nil || err != nil || json.Unmarshal(raw, &terms) != nil {
		description, _ := ev.Data["offer"].(string)
		return description
	}
	number := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	text := words.Format("email.offer_coupon", "Percent", number(terms.Percent))
	if code, _ := ev.Data["coupon"].(string); code != "" {
		until, _ := ev.Data["coupon_expires_at"].(string)
		text = words.Format("email.offer_coupon_code", "Percent", number(terms.Percent), "Code", code, "Until", readableTime(until))
	}
	if terms.Kind == "credit" {
		text = words.Format("email.offer_credit", "Amount", number(terms.Amount), "Currency", terms.Currency)
	}
	if terms.Call {
		text = words.Format("email.offer_with_call", "Offer", text)
	}
	return text
}
