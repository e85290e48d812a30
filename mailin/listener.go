// Package mailin is the inbound e-mail channel (SPEC section 10): an SMTP
// listener that files mail to complaints@<domain> as complaints and joins a
// reply to its complaint, over the same operations as the JSON API (intake
// for new complaints, desk for the customer's reply). It answers 250 only
// once what the mail carries is committed, so the sending server keeps any
// mail it could not hand over and retries.
package mailin

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/intake"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/ratelimit"
	"github.com/redress-dev/redress/tokens"
)

// MaxMessageBytes is the largest mail taken (SPEC section 10); a larger one
// is refused with 552 before its end is read.
const MaxMessageBytes = 25 << 20

// maxRecipients bounds RCPT TO per mail: a customer's mail names our
// addresses once or twice.
const maxRecipients = 20

// Options are what the listener is built from.
type Options struct {
	// Domain is REDRESS_INBOUND_DOMAIN: the listener takes mail for
	// complaints@Domain and the complaints' reply addresses at Domain.
	Domain string
	DB     *postgres.DB
	Intake *intake.Service
	Desk   *desk.Desk
	Tokens *tokens.Signer
	// Attachments keeps the files a mail carries, on its complaint.
	Attachments *attachments.Store
	// PerSender limits the mails taken from one sender; a sender over it
	// is told to retry later (450), so nothing is lost.
	PerSender config.Rate
	// SpoolDir holds each mail while it is read; the system's temporary
	// folder when empty.
	SpoolDir string
	Metrics  prometheus.Registerer
	Logger   *slog.Logger
}

// Listener is the SMTP listener.
type Listener struct {
	server  *smtp.Server
	o       Options
	domain  string
	limit   *ratelimit.Shared // nil when off
	metrics *mailMetrics
}

// New builds the listener.
func New(o Options) *Listener {
	l := &Listener{o: o, domain: strings.ToLower(o.Domain), metrics: newMailMetrics(o.Metrics)}
	if !o.PerSender.Off() {
		l.limit = ratelimit.NewShared(o.DB, "mail-sender", o.PerSender)
	}
	s := smtp.NewServer(l)
	s.Domain = l.domain
	s.MaxMessageBytes = MaxMessageBytes
	s.MaxRecipients = maxRecipients
	// A slow client on a poor line still sends 25 MiB within these; a
	// silent one frees its connection.
	s.ReadTimeout, s.WriteTimeout = 5*time.Minute, time.Minute
	s.ErrorLog = slogLogger{o.Logger}
	l.server = s
	return l
}

// Serve takes mail on ln until Close.
func (l *Listener) Serve(ln net.Listener) error {
	err := l.server.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops taking mail; a mail being read is answered 421 and retried.
func (l *Listener) Close() error { return l.server.Close() }

// NewSession is go-smtp's backend: one session per connection.
func (l *Listener) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{l: l}, nil
}

// session is one SMTP connection's current mail.
type session struct {
	l    *Listener
	from string
	rcpt []string
}

func (s *session) Reset()        { s.from, s.rcpt = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt takes complaints@domain and a complaint's reply address, and no
// other address: the listener relays nothing.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	addr := strings.ToLower(strings.TrimSpace(to))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || domain != s.l.domain {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "This server takes mail for " + s.l.domain + " only"}
	}
	if local != complaintsMailbox {
		if _, ok := s.l.o.Tokens.ComplaintOfMail(local); !ok {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
		}
	}
	s.rcpt = append(s.rcpt, addr)
	return nil
}

// complaintsMailbox is the address at which a new mail opens a complaint.
const complaintsMailbox = "complaints"

// Data spools the mail to a file, so that no mail is ever held whole in
// memory, and delivers it.
func (s *session) Data(r io.Reader) error {
	spool, err := os.CreateTemp(s.l.o.SpoolDir, "redress-mail-*")
	if err != nil {
		s.l.o.Logger.Error("spool inbound mail", "error", err)
		return errTryLater
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	digest := sha256.New()
	if _, err := io.Copy(io.MultiWriter(spool, digest), r); err != nil {
		var smtpErr *smtp.SMTPError
		switch {
		case errors.As(err, &smtpErr):
			s.l.metrics.refused(refusedTooLarge)
			return err // 552: over MaxMessageBytes
		case errors.Is(err, smtp.ErrTooLongLine):
			// Past RFC 5322's 998 characters and go-smtp's 2,000: the
			// same bytes would fail again, so the sender is told now.
			s.l.metrics.refused(refusedMalformed)
			return &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "A line of the mail is too long"}
		}
		s.l.o.Logger.Warn("inbound mail not read to its end", "error", err)
		return errTryLater
	}
	return s.l.deliver(envelope{from: s.from, rcpt: s.rcpt, digest: digest.Sum(nil)}, spool)
}

// errTryLater asks the sending server to keep the mail and retry.
var errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message: "Cannot take the mail right now; please try again later"}

// slogLogger is go-smtp's logger over the process's.
type slogLogger struct{ logger *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.logger.Warn("smtp listener", "message", strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (l slogLogger) Println(v ...any) {
	l.logger.Warn("smtp listener", "message", strings.TrimSpace(fmt.Sprint(v...)))
}

// Listen opens addr and takes mail on it until Close; it answers with the
// address it listens at.
func (l *Listener) Listen(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("inbound mail listener: %w", err)
	}
	go func() {
		if err := l.Serve(ln); err != nil {
			l.o.Logger.Error("inbound mail listener stopped", "error", err)
		}
	}()
	return ln.Addr().String(), nil
}
