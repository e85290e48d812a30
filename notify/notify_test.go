package notify_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/tokens"
)

// receiver is an integrator's webhook endpoint that checks signatures.
type receiver struct {
	mu       sync.Mutex
	events   []map[string]any
	fail     bool
	delay    time.Duration // how long it takes over each event
	busy     int           // events in hand now
	mostBusy int           // events in hand at once, at most
}

// poster is a channel beside e-mail for the dispatcher's tests: it posts
// each event, signed, to a receiver (webhooks themselves are endpoints,
// delivered apart from the outbox's channels).
type poster struct{ url string }

func (p poster) Send(ctx context.Context, e redress.Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set(notify.SignatureHeader, notify.Sign(webhookSecret, time.Now(), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("answered %s", resp.Status)
	}
	return nil
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := notify.Verify(webhookSecret, r.Header.Get(notify.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	rc.busy++
	rc.mostBusy = max(rc.mostBusy, rc.busy)
	rc.mu.Unlock()
	time.Sleep(rc.delay)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.busy--
	if rc.fail {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	var e map[string]any
	json.Unmarshal(body, &e)
	rc.events = append(rc.events, e)
}

const webhookSecret = "webhook-secret-0123456789"

var quiet = slog.New(slog.DiscardHandler)

// openDB opens a migrated, empty database, and a plain connection to it for
// what the store does not offer: reading the outbox, letting a backoff pass.
func openDB(t *testing.T) (*postgres.DB, *pgx.Conn) {
	t.Helper()
	url := redresstest.NewDatabaseURL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, redresstest.Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return db, conn
}

func letBackoffPass(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), `UPDATE outbox SET next_attempt_at = now()`); err != nil {
		t.Fatal(err)
	}
}

// fileComplaint stores a complaint of Li Wei's whose receipt waits in the
// outbox.
func fileComplaint(t *testing.T, db *postgres.DB, signer *tokens.Signer, email string) (*redress.Customer, string) {
	t.Helper()
	return fileComplaintOf(t, db, signer, redress.Customer{Name: "Li Wei", Email: email})
}

// fileComplaintOf stores a complaint of the customer's whose receipt waits
// in the outbox.
func fileComplaintOf(t *testing.T, db *postgres.DB, signer *tokens.Signer, customer redress.Customer) (*redress.Customer, string) {
	t.Helper()
	ctx := context.Background()
	cu, _, err := db.UpsertCustomer(ctx, customer, "test") // matched by e-mail
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	at := time.Date(2026, 11, 30, 1, 30, 0, 0, time.UTC)
	ackDue, resolveDue := at.Add(24*time.Hour), at.Add(240*time.Hour)
	hash := sha256.Sum256([]byte(id))
	filing := postgres.Filing{
		Complaint: redress.Complaint{ID: id, CustomerID: cu.ID, Category: redress.CategoryDelivery, Severity: redress.SeverityLow,
			Channel: redress.ChannelEmail, Subject: "包裹未收到", Description: "d", CreatedAt: at,
			State: redress.State{Status: redress.StatusReceived, Priority: redress.P4, AckDueAt: &ackDue, ResolveDueAt: &resolveDue}},
		TrackingTokenHash: hash[:],
		Received:          redress.TimelineEntry{At: at, Actor: "email", Kind: "received", Public: true, Detail: "received"},
		ReceivedEvent: redress.Event{ID: id + "-1-" + redress.EventReceived, Type: redress.EventReceived, OccurredAt: at,
			ComplaintID: id, CustomerID: cu.ID},
	}
	_, err = db.CreateComplaint(ctx, postgres.Intake{Customer: redress.Customer{ID: cu.ID},
		Build: func(*redress.Customer, []redress.DuplicateCandidate) postgres.Filing { return filing }})
	if err != nil {
		t.Fatal(err)
	}
	return cu, id
}

func TestWebhookAndEmailDeliverEachMessageOnce(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	signer := tokens.NewSigner("token-secret-0123456789", "http://redress.test")
	box := redresstest.StartMailboxAt(t, "127.0.0.1:0")
	hook := &receiver{}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	channels, err := notify.Channels(notify.ChannelOptions{SMTPURL: "smtp://" + box.Addr + "?from=care@redress.test"}, db, signer, slog.Default())
	channels = append([]notify.Channel{{Name: "webhook", Sender: poster{srv.URL}}}, channels...)
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{DB: db, Channels: channels, Logger: quiet, Links: signer}
	cu, id := fileComplaint(t, db, signer, "li@example.com")

	if took, err := d.DispatchOnce(ctx); err != nil || !took {
		t.Fatalf("dispatch = %t, %v", took, err)
	}
	if len(hook.events) != 1 {
		t.Fatalf("webhook got %d events", len(hook.events))
	}
	e := hook.events[0]
	if e["id"] != id+"-1-complaint.received" || e["type"] != "complaint.received" || e["complaint_id"] != id ||
		e["customer_id"] != cu.ID || e["occurred_at"] == nil || e["data"].(map[string]any)["tracking_url"] != signer.TrackingURL(signer.Tracking(id)) {
		t.Errorf("webhook body = %+v", e)
	}
	// The link reached the receiver, derived at delivery; the outbox
	// never held it.
	if stored, err := db.Events(ctx, id); err != nil || len(stored) != 1 || stored[0].Data["tracking_url"] != nil {
		t.Errorf("the outbox holds %+v (%v); want the event without its link", stored, err)
	}
	mails := box.Mails()
	if len(mails) != 1 || mails[0].To[0] != "li@example.com" || mails[0].From != "care@redress.test" {
		t.Fatalf("mails = %+v", mails)
	}
	body := mails[0].Data
	msg, err := netmail.ReadMessage(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "We received your complaint: 包裹未收到" {
		t.Errorf("subject = %q, %v", subject, err)
	}
	for _, want := range []string{"Hello Li Wei,", "only the receipt", "http://redress.test/track/" + signer.Tracking(id),
		"Message-ID: <" + signer.MessageID(id, id+"-1-complaint.received", "redress.test") + ">", "Auto-Submitted: auto-replied",
		"X-Loop: redress@redress.test", "Content-Language: en\r\n", "charset=utf-8"} {
		if !strings.Contains(body, want) {
			t.Errorf("mail lacks %q:\n%s", want, body)
		}
	}
	if took, _ := d.DispatchOnce(ctx); took || len(hook.events) != 1 || len(box.Mails()) != 1 {
		t.Errorf("a delivered message was sent again")
	}
}

// A customer whose language is Chinese gets the receipt in Chinese, subject
// and all, through the outbox as any mail.
func TestEmailSpeaksTheCustomersLanguage(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	signer := tokens.NewSigner("token-secret-0123456789", "http://redress.test")
	box := redresstest.StartMailboxAt(t, "127.0.0.1:0")
	channels, err := notify.Channels(notify.ChannelOptions{SMTPURL: "smtp://" + box.Addr + "?from=care@redress.test",
		Timezone: "Asia/Shanghai"}, db, signer, quiet)
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{DB: db, Channels: channels, Logger: quiet, Links: signer}
	_, id := fileComplaintOf(t, db, signer, redress.Customer{Name: "李伟", Email: "liwei@example.cn", Language: "zh"})
	if took, err := d.DispatchOnce(ctx); err != nil || !took {
		t.Fatalf("dispatch = %t, %v", took, err)
	}
	mails := box.Mails()
	if len(mails) != 1 || mails[0].To[0] != "liwei@example.cn" {
		t.Fatalf("mails = %+v", mails)
	}
	msg, err := netmail.ReadMessage(strings.NewReader(mails[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "我们已收到您的投诉：包裹未收到" {
		t.Errorf("subject = %q, %v", subject, err)
	}
	if got := msg.Header.Get("Content-Language"); got != "zh-CN" {
		t.Errorf("Content-Language = %q, want zh-CN", got)
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		t.Fatal(err)
	}
	// The due times in the policy's zone, and the customer's rights.
	want := "您好，李伟：\r\n\r\n感谢您向我们反映问题。工作人员会尽快答复您；本邮件只是受理回执。\r\n\r\n" +
		"我们将在 2026-12-01 09:30 CST 前答复您，并在 2026-12-10 09:30 CST 前解决您的投诉。\r\n" +
		"您的权益：我们的退款、退货、保修及投诉处理政策见 http://redress.test/policies?lang=zh\r\n\r\n" +
		"查看投诉进度：http://redress.test/track/" + signer.Tracking(id) + "\r\n"
	if string(body) != want {
		t.Errorf("body =\n%q\nwant\n%q", body, want)
	}
}

func TestFailedChannelIsRetriedAloneLater(t *testing.T) {
	db, conn := openDB(t)
	ctx := context.Background()
	signer := tokens.NewSigner("token-secret-0123456789", "http://redress.test")
	hook := &receiver{}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	// Reserve an address for the mail server, which is down at first.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	mailAddr := l.Addr().String()
	l.Close()
	channels, err := notify.Channels(notify.ChannelOptions{SMTPURL: "smtp://" + mailAddr + "?from=care@redress.test"}, db, signer, slog.Default())
	channels = append([]notify.Channel{{Name: "webhook", Sender: poster{srv.URL}}}, channels...)
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{DB: db, Channels: channels, Logger: quiet, Links: signer}
	fileComplaint(t, db, signer, "li@example.com")

	if _, err := d.DispatchOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(hook.events) != 1 {
		t.Fatalf("webhook got %d events", len(hook.events))
	}
	if took, _ := d.DispatchOnce(ctx); took {
		t.Error("a failed message was retried before its backoff")
	}
	box := redresstest.StartMailboxAt(t, mailAddr)
	letBackoffPass(t, conn)
	if took, err := d.DispatchOnce(ctx); err != nil || !took {
		t.Fatalf("retry = %t, %v", took, err)
	}
	if len(box.Mails()) != 1 || len(hook.events) != 1 {
		t.Errorf("after the retry: %d mails, %d webhook calls; want 1 and still 1", len(box.Mails()), len(hook.events))
	}
}

func TestWebhookSignature(t *testing.T) {
	body := []byte(`{"id":"x"}`)
	now := time.Now()
	header := notify.Sign("s3cret-0123456789", now, body)
	if err := notify.Verify("s3cret-0123456789", header, body, now, time.Minute); err != nil {
		t.Errorf("a fresh signature: %v", err)
	}
	if err := notify.Verify("s3cret-0123456789", header, []byte(`{"id":"y"}`), now, time.Minute); err == nil {
		t.Error("a changed body passed")
	}
	if err := notify.Verify("other-secret-00000", header, body, now, time.Minute); err == nil {
		t.Error("another secret passed")
	}
	if err := notify.Verify("s3cret-0123456789", header, body, now.Add(10*time.Minute), 5*time.Minute); err == nil {
		t.Error("a replay ten minutes later passed")
	}
	if err := notify.Verify("s3cret-0123456789", "garbage", body, now, time.Minute); err == nil {
		t.Error("a malformed header passed")
	}
}

func TestEmailSkipsStaffEventsAndCustomersWithoutEmail(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	signer := tokens.NewSigner("token-secret-0123456789", "http://redress.test")
	box := redresstest.StartMailboxAt(t, "127.0.0.1:0")
	email, err := notify.NewEmail("smtp://"+box.Addr+"?from=care@redress.test", "", db, signer)
	if err != nil {
		t.Fatal(err)
	}
	cu, id := fileComplaint(t, db, signer, "li@example.com")
	if err := email.Send(ctx, redress.Event{ID: "e1", Type: redress.EventAckWarning, ComplaintID: id, CustomerID: cu.ID}); err != nil {
		t.Fatal(err)
	}
	phoneOnly, id2 := fileComplaint(t, db, signer, "")
	if err := email.Send(ctx, redress.Event{ID: "e2", Type: redress.EventResolved, ComplaintID: id2, CustomerID: phoneOnly.ID}); err != nil {
		t.Fatal(err)
	}
	if got := box.Mails(); len(got) != 0 {
		t.Errorf("mailed %d messages, want none", len(got))
	}
	for _, bad := range []string{"http://x", "smtp://host:25", "::"} {
		if _, err := notify.NewEmail(bad, "", db, signer); err == nil {
			t.Errorf("REDRESS_SMTP_URL %q was accepted", bad)
		}
	}
}
