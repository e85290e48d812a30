package redresstest

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mailbox is a real SMTP server on loopback that keeps every mail it is
// given: the customers' inboxes, as the stack's outgoing mail reaches them.
type Mailbox struct {
	Addr   string
	server *smtp.Server

	mu    sync.Mutex
	mails []Mail
}

// Mail is one mail the mailbox received.
type Mail struct {
	From string
	To   []string
	Data string // as sent, headers and body
}

// Header is the first value of a header field of the mail, unfolded.
func (m Mail) Header(name string) string {
	head, _, _ := strings.Cut(strings.ReplaceAll(m.Data, "\r\n", "\n"), "\n\n")
	var value string
	found := false
	for _, line := range strings.Split(head, "\n") {
		if found && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) {
			value += " " + strings.TrimSpace(line)
			continue
		}
		if found {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			value, found = strings.TrimSpace(v), true
		}
	}
	return value
}

// StartMailbox starts a mailbox and stops it when the test ends.
func StartMailbox(t testing.TB) *Mailbox {
	t.Helper()
	return StartMailboxAt(t, "127.0.0.1:0")
}

// StartMailboxAt starts a mailbox at addr: where a mail server that was
// away comes back.
func StartMailboxAt(t testing.TB, addr string) *Mailbox {
	t.Helper()
	box := &Mailbox{}
	box.server = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &mailboxSession{box: box}, nil
	}))
	box.server.Domain = "localhost"
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	box.Addr = l.Addr().String()
	go box.server.Serve(l)
	t.Cleanup(func() { box.server.Close() })
	return box
}

// Mails are the mails received so far, in order.
func (b *Mailbox) Mails() []Mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Mail(nil), b.mails...)
}

// WaitFor waits until a mail matches, and fails the test after timeout.
func (b *Mailbox) WaitFor(t testing.TB, timeout time.Duration, what string, match func(Mail) bool) Mail {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, m := range b.Mails() {
			if match(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail %s within %s; the mailbox has %d", what, timeout, len(b.Mails()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type mailboxSession struct {
	box  *Mailbox
	mail Mail
}

func (s *mailboxSession) Reset()        { s.mail = Mail{} }
func (s *mailboxSession) Logout() error { return nil }

func (s *mailboxSession) Mail(from string, _ *smtp.MailOptions) error {
	s.mail.From = from
	return nil
}

func (s *mailboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.To = append(s.mail.To, to)
	return nil
}

func (s *mailboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.mail.Data = string(b)
	s.box.mu.Lock()
	s.box.mails = append(s.box.mails, s.mail)
	s.box.mu.Unlock()
	return nil
}
