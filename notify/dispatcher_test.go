package notify_test

import (
	"context"
	"net"
	"net/http/httptest"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/tokens"
)

func TestTwoDispatchersWithASlowReceiverSendEachEventOncePerChannel(t *testing.T) {
	db, conn := openDB(t)
	signer := tokens.NewSigner("token-secret-0123456789", "http://redress.test")
	box := redresstest.StartMailboxAt(t, "127.0.0.1:0")
	hook := &receiver{delay: time.Second}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	channels, err := notify.Channels(notify.ChannelOptions{SMTPURL: "smtp://" + box.Addr + "?from=care@redress.test"}, db, signer, quiet)
	channels = append([]notify.Channel{{Name: "webhook", Sender: poster{srv.URL}}}, channels...)
	if err != nil {
		t.Fatal(err)
	}
	// A send may take 2 s, so a lease lasts 4 s; one dispatcher alone needs
	// 7 s for all the events, which would outlast a lease taken over a batch.
	// An odd count leaves one dispatcher idle while the other sends the last
	// event, free to take it over if its lease were shorter than the send.
	const events = 7
	for range events {
		fileComplaint(t, db, signer, "li@example.com")
	}

	ctx, stop := context.WithCancel(context.Background())
	var running sync.WaitGroup
	for range 2 {
		d := &notify.Dispatcher{DB: db, Channels: channels, Logger: quiet, SendTimeout: 2 * time.Second}
		running.Go(func() { d.Run(ctx) })
	}
	deadline := time.Now().Add(time.Minute)
	for undelivered(t, conn) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still undelivered after a minute", undelivered(t, conn))
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	running.Wait()
	srv.Close() // waits for the receiver to finish what it was sent

	posts := map[string]int{}
	for _, e := range hook.events {
		posts[e["id"].(string)]++
	}
	mails := map[string]int{}
	for _, m := range box.Mails() {
		msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		mails[msg.Header.Get("Message-ID")]++
	}
	if len(posts) != events || len(mails) != events {
		t.Errorf("%d events reached the webhook and %d the mailbox; want all %d on each", len(posts), len(mails), events)
	}
	for id, n := range posts {
		if n != 1 {
			t.Errorf("webhook got %s %d times", id, n)
		}
	}
	for id, n := range mails {
		if n != 1 {
			t.Errorf("mailbox got %s %d times", id, n)
		}
	}
	if hook.mostBusy != 2 {
		t.Errorf("the receiver had at most %d events in hand at once; want one from each dispatcher", hook.mostBusy)
	}
}

func TestHungMailServerTimesOutAndTheMessageIsRetried(t *testing.T) {
	db, conn := openDB(t)
	ctx := context.Background()
	signer := tokens.NewSigner("token-secret-0123456789", "http://redress.test")
	hung := startHungServer(t)
	channels, err := notify.Channels(notify.ChannelOptions{SMTPURL: "smtp://" + hung.addr + "?from=care@redress.test"},
		db, signer, quiet)
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{DB: db, Channels: channels, Logger: quiet, SendTimeout: time.Second}
	fileComplaint(t, db, signer, "li@example.com")

	start := time.Now()
	if took, err := d.DispatchOnce(ctx); err != nil || !took {
		t.Fatalf("dispatch = %t, %v", took, err)
	}
	if waited := time.Since(start); waited > 3*time.Second {
		t.Errorf("the send to a hung server took %s; the timeout is 1s", waited.Round(time.Millisecond))
	}
	var lastError string
	if err := conn.QueryRow(ctx, `SELECT last_error FROM outbox WHERE delivered_at IS NULL`).Scan(&lastError); err != nil {
		t.Fatalf("the message is not waiting for a retry: %v", err)
	}
	if !strings.Contains(lastError, "timeout") {
		t.Errorf("last error = %q, want a timeout", lastError)
	}

	hung.stop()
	box := redresstest.StartMailboxAt(t, hung.addr)
	letBackoffPass(t, conn)
	if took, err := d.DispatchOnce(ctx); err != nil || !took {
		t.Fatalf("retry = %t, %v", took, err)
	}
	if got := box.Mails(); len(got) != 1 {
		t.Errorf("after the retry the mailbox has %d mails, want 1", len(got))
	}
}

// hungServer accepts TCP connections and never says a word.
type hungServer struct {
	addr     string
	listener net.Listener
	mu       sync.Mutex
	conns    []net.Conn
}

func startHungServer(t *testing.T) *hungServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hungServer{addr: l.Addr().String(), listener: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
		}
	}()
	t.Cleanup(h.stop)
	return h
}

func (h *hungServer) stop() {
	h.listener.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
	h.conns = nil
}

func undelivered(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE delivered_at IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
