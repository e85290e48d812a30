package notify

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// Events and mail carry customers' words and links: a webhook must be
// https (http only on this machine) and follows no redirect, and mail goes
// out over STARTTLS, in the clear only to a server on this machine.
func TestDeliveriesStayEncrypted(t *testing.T) {
	for _, bad := range []string{"http://hooks.example.com/redress", "ftp://hooks.example.com", "hooks.example.com"} {
		if err := checkEnvironmentURL(bad); err == nil {
			t.Errorf("REDRESS_WEBHOOK_URL at %s was taken", bad)
		}
	}
	for _, good := range []string{"https://hooks.example.com/redress", "http://127.0.0.1:9000/hook", "http://localhost/hook"} {
		if err := checkEnvironmentURL(good); err != nil {
			t.Errorf("%s: %v", good, err)
		}
	}

	var elsewhere atomic.Int64
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer attacker.Close()
	redirecting := httptest.NewServer(http.RedirectHandler(attacker.URL, http.StatusTemporaryRedirect))
	defer redirecting.Close()
	// The environment's client, which may reach this machine, still
	// follows no redirect.
	_, err := postSigned(context.Background(), environmentClient(), redirecting.URL, []string{"a-secret-of-some-length"},
		redress.Event{ID: "e1", Type: redress.EventReceived})
	if err == nil || !strings.Contains(err.Error(), "redirect") || elsewhere.Load() != 0 {
		t.Errorf("a redirect: %v, %d posts elsewhere; want a failure and none", err, elsewhere.Load())
	}

	// A server that offers no STARTTLS: refused unless it is on this machine.
	server, mails := plainSMTPServer(t)
	local, err := NewEmail("smtp://"+server+"?from=care@redress.test", "", nil, nil)
	if err != nil || !local.plain {
		t.Fatalf("a local relay: %v", err)
	}
	remote, err := NewEmail("smtp://mail.example.com:587?from=care@redress.test", "", nil, nil)
	if err != nil || remote.plain {
		t.Fatalf("a remote server: %v; want STARTTLS required", err)
	}
	remote.addr = server // the same plain server, as if it were remote
	if err := remote.mail(context.Background(), "li@example.com", []byte("Subject: x\r\n\r\nx\r\n")); err == nil ||
		!strings.Contains(err.Error(), "STARTTLS") || mails.Load() != 0 {
		t.Errorf("a remote server without STARTTLS: %v, %d mails begun; want a refusal before any", err, mails.Load())
	}
	if err := local.mail(context.Background(), "li@example.com", []byte("Subject: x\r\n\r\nx\r\n")); err != nil || mails.Load() != 1 {
		t.Errorf("the local relay: %v, %d mails", err, mails.Load())
	}
}

// plainSMTPServer is an SMTP server on this machine that offers no
// STARTTLS and takes every mail; mails counts the mails begun (MAIL FROM).
func plainSMTPServer(t *testing.T) (addr string, mails *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	mails = &atomic.Int64{}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				text := textproto.NewConn(conn)
				_ = text.PrintfLine("220 plain.test ESMTP")
				for {
					line, err := text.ReadLine()
					if err != nil {
						return
					}
					switch verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0]); verb {
					case "EHLO", "HELO":
						_ = text.PrintfLine("250 plain.test")
					case "MAIL":
						mails.Add(1)
						_ = text.PrintfLine("250 ok")
					case "DATA":
						_ = text.PrintfLine("354 go on")
						if _, err := text.ReadDotBytes(); err != nil {
							return
						}
						_ = text.PrintfLine("250 kept")
					case "QUIT":
						_ = text.PrintfLine("221 bye")
						return
					default:
						_ = text.PrintfLine("250 ok")
					}
				}
			}()
		}
	}()
	return l.Addr().String(), mails
}

// Only the URL this worker's REDRESS_WEBHOOK_URL names is sent with the
// client that may reach the operator's network: a row that calls itself
// the environment's but points elsewhere (changed by an older process,
// or in the database) gets the guarded client.
func TestEnvironmentClientOnlyForTheEnvironmentsURL(t *testing.T) {
	c := clients{managed: endpointClient(false), environment: environmentClient(), environmentURL: "https://hooks.example.com/redress"}
	for _, tt := range []struct {
		endpoint postgres.WebhookEndpoint
		want     *http.Client
	}{
		{postgres.WebhookEndpoint{ManagedBy: postgres.ManagedByEnvironment, URL: "https://hooks.example.com/redress"}, c.environment},
		{postgres.WebhookEndpoint{ManagedBy: postgres.ManagedByEnvironment, URL: "https://10.0.0.5/internal"}, c.managed},
		{postgres.WebhookEndpoint{ManagedBy: postgres.ManagedByAPI, URL: "https://hooks.example.com/redress"}, c.managed},
	} {
		if got := c.of(&tt.endpoint); got != tt.want {
			t.Errorf("%s endpoint at %s got the other client", tt.endpoint.ManagedBy, tt.endpoint.URL)
		}
	}
	if none := (clients{managed: c.managed, environment: c.environment}); none.of(&postgres.WebhookEndpoint{ManagedBy: postgres.ManagedByEnvironment, URL: ""}) != c.managed {
		t.Error("a worker without REDRESS_WEBHOOK_URL used the environment's client")
	}
}
