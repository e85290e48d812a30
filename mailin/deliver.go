package mailin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-smtp"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/inbound"
	"github.com/redress-dev/redress/intake"
	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/workflows"
)

// envelope is what the SMTP conversation said about a mail.
type envelope struct {
	from   string // MAIL FROM; "" for the null sender
	rcpt   []string
	digest []byte // sha256 of the mail as received
}

// deliverTimeout bounds the work on one mail; past it the sending server is
// asked to retry.
const deliverTimeout = time.Minute

// caller is the name under which mail files complaints: the namespace of its
// idempotency keys and the source of its changes to customers.
const caller = "email"

// deliver reads the spooled mail and files what it carries: nothing for a
// machine's mail, else a new complaint or the customer's reply. A nil error
// is the 250 that tells the sender the mail is ours; it comes only after the
// commit. A retried mail (its Message-ID, or its bytes, seen before) is
// answered at once and applied never again.
func (l *Listener) deliver(env envelope, spool *os.File) error {
	ctx, cancel := context.WithTimeout(context.Background(), deliverTimeout)
	defer cancel()
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return l.tryLater("rewind the spooled mail", err)
	}
	// Files are kept once the complaint is known; this reading only counts
	// them, so that a mail without any is read once.
	files := 0
	msg, err := inbound.Parse(spool, func(inbound.Attachment, io.Reader) error { files++; return nil })
	if errors.Is(err, inbound.ErrMalformed) {
		l.metrics.refused(refusedMalformed)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "The mail's header cannot be read"}
	}
	if err != nil {
		return l.tryLater("read the mail", err)
	}
	if reason := msg.Noise(env.from, notify.LoopID(l.domain)); reason != "" {
		l.metrics.dropped(reason)
		l.o.Logger.Info("inbound mail opens nothing", "reason", reason, "message_id", msg.MessageID)
		return nil
	}
	key := mailKey(msg.MessageID, env.digest)
	seen, err := l.o.DB.InboundMailSeen(ctx, key)
	if err != nil {
		return l.tryLater("look the mail up", err)
	}
	if seen != nil {
		// A new complaint's mail is stored with the complaint, before its
		// files: a retry keeps any they lacked (each is kept once).
		if err := l.keepAttachments(ctx, spool, files, seen.ComplaintID); err != nil {
			return l.tryLater("keep the attachments", err)
		}
		l.metrics.taken(resultRetried)
		return nil
	}
	sender := msg.From.Address
	if sender == "" {
		sender = strings.ToLower(strings.TrimSpace(env.from))
	}
	ch := &redress.Checker{}
	if ch.Email("from", sender); ch.Err() != nil {
		l.metrics.refused(refusedSender)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 7}, Message: "The sender's address cannot be answered"}
	}
	if l.limit != nil {
		if wait := l.limit.Take(sender, time.Now()); wait > 0 {
			l.metrics.refused(refusedRate)
			return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 1},
				Message: "Too many mails from this sender; please try again later"}
		}
	}
	m := mail{key: key, sender: sender, msg: msg}
	taken, err := l.file(ctx, env, m)
	if err != nil {
		return l.tryLater("file the mail", err)
	}
	if err := l.keepAttachments(ctx, spool, files, taken.ComplaintID); err != nil {
		// The mail comes again; what was kept of it is kept once.
		return l.tryLater("keep the attachments", err)
	}
	if err := l.o.DB.RecordInboundMail(ctx, taken); err != nil {
		// Filed: a retry finds it filed under its key and applies nothing.
		return l.tryLater("record the mail", err)
	}
	l.metrics.taken(taken.Kind)
	return nil
}

// keepAttachments reads the mail again, now that its complaint is known,
// and streams each file it carries to the complaint. A file the store
// refuses (too large, of a kind not taken, one too many, a closed
// complaint) is left out, never the mail; only a store that cannot answer
// has the sender retry.
func (l *Listener) keepAttachments(ctx context.Context, spool *os.File, files int, complaintID string) error {
	if l.o.Attachments == nil || files == 0 {
		return nil
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := inbound.Parse(spool, func(a inbound.Attachment, r io.Reader) error {
		_, _, err := l.o.Attachments.Add(ctx, attachments.Upload{ComplaintID: complaintID, Filename: a.Filename,
			From: redress.AttachmentFromCustomer, Actor: "customer", By: redress.ByCustomerMail}, r)
		switch redress.ErrorCode(err) {
		case redress.ETOOLARGE, redress.EUNSUPPORTED, redress.EINVALID, redress.ECONFLICT:
			l.o.Logger.Info("a mail's attachment left out", "complaint", complaintID, "file", a.Filename, "error", err)
			return nil
		}
		return err
	})
	return err
}

// mail is a customer's mail on its way to a complaint.
type mail struct {
	key    string
	sender string
	msg    *inbound.Message
}

// words are the customer's own words in the mail: the reply without the
// quoted history, or the whole text when that is all there is.
func (m mail) words() string {
	if m.msg.Reply != "" {
		return m.msg.Reply
	}
	return m.msg.Text
}

// mailKey is the idempotency key of a mail: its Message-ID, hashed to a
// bounded length, or the hash of its bytes when it has none (a sending
// server retries the same bytes).
func mailKey(messageID string, digest []byte) string {
	if messageID == "" {
		return "raw:" + hex.EncodeToString(digest)
	}
	h := sha256.Sum256([]byte(messageID))
	return "mid:" + hex.EncodeToString(h[:])
}

// maxAttempts bounds how often a reply is tried again after the complaint
// changed under it (resolved, closed) between the read and the Update.
const maxAttempts = 3

// file joins the mail to the complaint it answers, or opens one.
func (l *Listener) file(ctx context.Context, env envelope, m mail) (postgres.InboundMail, error) {
	target, err := l.answered(ctx, env, m)
	if err != nil {
		return postgres.InboundMail{}, err
	}
	for range maxAttempts {
		if target == "" {
			return l.open(ctx, m, "")
		}
		c, err := l.o.DB.Complaint(ctx, target)
		if err != nil {
			return postgres.InboundMail{}, err
		}
		taken := postgres.InboundMail{Key: m.key, MessageID: m.msg.MessageID, ComplaintID: c.ID}
		var update string
		switch {
		case c.Status == redress.StatusResolved:
			taken.Kind, update = postgres.MailReopen, workflows.ReopenUpdate
		case c.Status.Open():
			taken.Kind, update = postgres.MailReply, workflows.CustomerReplyUpdate
		default:
			// Closed: the customer writes about it again, in a complaint
			// of its own that names the old one.
			return l.open(ctx, m, c.ID)
		}
		in := workflows.CustomerMessageInput{Message: replyText(m.words()), Via: redress.ByCustomerMail}
		err = l.o.Desk.Update(ctx, c.ID, workflows.KeyedUpdateID(update, caller, m.key), update, in)
		if redress.ErrorCode(err) == redress.ECONFLICT {
			continue // the status moved on; read it again
		}
		return taken, err
	}
	return postgres.InboundMail{}, errors.New("the complaint kept changing under the reply")
}

// answered is the complaint a mail replies to, "" for a new one: named by
// the reply address it was sent to, by a Redress Message-ID it answers, or
// by a mail of the same customer on that complaint that it answers.
func (l *Listener) answered(ctx context.Context, env envelope, m mail) (string, error) {
	for _, rcpt := range env.rcpt {
		if id, ok := l.o.Tokens.ComplaintOfMail(strings.TrimSuffix(rcpt, "@"+l.domain)); ok {
			return id, nil
		}
	}
	refs := slices.Concat(m.msg.InReplyTo, m.msg.References)
	for _, ref := range refs {
		if !strings.HasSuffix(strings.ToLower(ref), "@"+l.domain) {
			continue
		}
		if id, ok := l.o.Tokens.ComplaintOfMail(ref); ok {
			return id, nil
		}
	}
	if len(refs) == 0 {
		return "", nil
	}
	// The customer's own Message-IDs are not secret, so they count only
	// from the complaint's customer.
	return l.o.DB.ComplaintOfCustomerMail(ctx, refs, m.sender)
}

// open files the mail as a new complaint; follows names the closed
// complaint it continues.
func (l *Listener) open(ctx context.Context, m mail, follows string) (postgres.InboundMail, error) {
	words := m.words()
	subject := inbound.CleanSubject(m.msg.Subject)
	if subject == "" {
		subject = firstLine(words)
	}
	description := words
	if strings.TrimSpace(description) == "" {
		description = subject
	}
	hash := sha256.Sum256([]byte(m.key))
	taken := postgres.InboundMail{Key: m.key, MessageID: m.msg.MessageID, Kind: postgres.MailComplaint}
	filed, err := l.o.Intake.File(ctx, intake.Request{
		Complaint: intake.Complaint{
			Customer: redress.Customer{Name: cut(m.msg.From.Name, 200), Email: m.sender, Language: inbound.Language(words)},
			Channel:  redress.ChannelEmail, Subject: cut(orNone(subject), intake.MaxSubject),
			Description: cut(orNone(description), intake.MaxDescription), Follows: follows,
		},
		Caller: caller, By: redress.ByCustomerMail, IdempotencyKey: m.key, RequestHash: hash[:], Mail: &taken,
	})
	if err != nil {
		return postgres.InboundMail{}, err
	}
	taken.ComplaintID = filed.Complaint.ID
	return taken, nil
}

// replyText is the customer's words as a reply: never empty (a mail of
// attachments alone is still a reply), at most redress.MaxMessage.
func replyText(words string) string { return cut(orNone(words), redress.MaxMessage) }

// orNone stands for a mail that says nothing; a complaint is never refused
// for it.
func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(no text)"
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return cut(strings.TrimSpace(line), 80)
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// tryLater logs why a mail could not be taken and asks its sender to retry.
func (l *Listener) tryLater(what string, err error) error {
	l.metrics.refused(refusedTryLater)
	l.o.Logger.Warn("inbound mail left to the sender's retry", "step", what, "error", err)
	return errTryLater
}
