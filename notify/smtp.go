package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/smtp"
	"time"
)

// smtpTimeout bounds a whole SMTP conversation: connecting, STARTTLS, AUTH
// and the message. A mail server takes well under a second for one
// recipient; thirty seconds lets a busy one finish, while a hung one frees
// the dispatcher soon and the message is retried with backoff.
const smtpTimeout = 30 * time.Second

// mail sends one message to one recipient over STARTTLS (in the clear
// only to a server on this machine), within smtpTimeout and ctx's
// deadline.
func (e *Email) mail(ctx context.Context, to string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, smtpTimeout)
	defer cancel()
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// A cancelled ctx (the worker stopping) ends the conversation too.
	defer context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })()
	c, err := smtp.NewClient(conn, e.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: e.host}); err != nil {
			return err
		}
	} else if !e.plain {
		return fmt.Errorf("the mail server %s offers no STARTTLS; Redress sends customers' mail encrypted only", e.addr)
	}
	if e.auth != nil {
		if err := c.Auth(e.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(e.from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// loopback tells whether host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
