package notify

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/redress-dev/redress"
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
}

// NewEmail reads REDRESS_SMTP_URL: smtp://[user:password@]host:port?from=address.
// The server's STARTTLS is used when it offers it. inboundDomain, when set,
// is REDRESS_INBOUND_DOMAIN: replies go to each complaint's reply address.
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
		replies: inboundDomain != "", db: db, tokens: signer}
	if e.domain == "" {
		e.domain = from[strings.LastIndex(from, "@")+1:]
	}
	if u.User != nil {
		password, _ := u.User.Password()
		e.auth = smtp.PlainAuth("", u.User.Username(), password, host)
	}
	return e, nil
}

// Send mails the event to the complaint's customer when it is one for them.
func (e *Email) Send(ctx context.Context, ev redress.Event) error {
	subject, body, ok := wording(ev)
	if !ok || ev.CustomerID == "" {
		return nil
	}
	customer, err := e.db.Customer(ctx, ev.CustomerID)
	if err != nil {
		return err
	}
	if customer.Email == "" {
		return nil // reached by phone or chat; the webhook tells the channel that owns them
	}
	threading := ""
	if ev.ComplaintID != "" {
		complaint, err := e.db.Complaint(ctx, ev.ComplaintID)
		if err != nil {
			return err
		}
		subject += ": " + complaint.Subject
		body += "\n\nFollow your complaint: " + e.tokens.TrackingURL(e.tokens.Tracking(ev.ComplaintID)) + "\n"
		if threading, err = e.threadHeaders(ctx, ev); err != nil {
			return err
		}
	}
	greeting := "Hello,"
	if customer.Name != "" {
		greeting = "Hello " + customer.Name + ","
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n",
		e.from, customer.Email, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), e.messageID(ev))
	msg.WriteString(threading)
	// Out-of-office replies and mail loops stay out: RFC 3834's marker and
	// a loop header that the inbound listener recognises as its own.
	fmt.Fprintf(&msg, "Auto-Submitted: auto-replied\r\nX-Loop: %s\r\n", LoopID(e.domain))
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

// LoopID is the X-Loop value of Redress's mail from the domain; mail that
// carries it came back to Redress and opens nothing.
func LoopID(domain string) string { return "redress@" + domain }

// wording is the customer's version of an event, or ok=false when the event
// is not for the customer.
func wording(ev redress.Event) (subject, body string, ok bool) {
	str := func(k string) string { s, _ := ev.Data[k].(string); return s }
	switch ev.Type {
	case redress.EventReceived:
		return "We received your complaint", "Thank you for telling us. A person will answer you soon; " +
			"this message is only the receipt.", true
	case redress.EventAcknowledged:
		return "Your complaint is being handled", "A member of our team has taken up your complaint.", true
	case redress.EventUpdated:
		body := "News on your complaint:\n\n" + str("message")
		if waiting, _ := ev.Data["waiting_on_customer"].(bool); waiting {
			body += "\n\nWe need your answer to go on: please reply on your tracking page."
		}
		return "Update on your complaint", body, true
	case redress.EventResolved:
		return "Your complaint is resolved", "We resolved your complaint:\n\n" + str("summary") +
			"\n\nIf this does not settle it, you can reopen it from your tracking page until " + str("reopen_until") + ".", true
	case redress.EventReopened:
		return "Your complaint is reopened", "We reopened your complaint and are working on it again.", true
	case redress.EventClosed:
		return "Your complaint is closed", "Your complaint is now closed. Thank you for your patience.", true
	case redress.EventSurveySent:
		return "How did we do?", "Please tell us how we handled your complaint (one question, 1 to 5):\n\n" + str("survey_url"), true
	case redress.EventSurveyReminded:
		return "A reminder: how did we do?", "We would still like to hear how we did:\n\n" + str("survey_url"), true
	case redress.EventWinbackOffered:
		return "A thank-you from us", "We are sorry we let you down. As a thank-you for staying with us: " + str("offer") + ".", true
	}
	return "", "", false
}
