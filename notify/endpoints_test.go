package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
)

func TestEndpointURLsStayOutside(t *testing.T) {
	for _, tt := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.com/redress", false, true},
		{"http://hooks.example.com/redress", false, false},
		{"https://localhost/x", false, false},
		{"https://127.0.0.1/x", false, false},
		{"https://10.1.2.3/x", false, false},
		{"https://[::1]/x", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://user:pass@hooks.example.com/", false, false},
		{"ftp://hooks.example.com/", true, false},
		{"http://127.0.0.1:9000/x", true, true},
		{"http://169.254.169.254/latest/meta-data", true, false},
		{"http://[fe80::1]/x", true, false},
		{"https://100.100.100.200/latest/meta-data", false, false},
		{"http://100.100.100.200/latest/meta-data", true, false},
		{"http://[fd00:ec2::254]/latest/meta-data", true, false},
		{"https://[64:ff9b::a9fe:a9fe]/", false, false},
		{"https://[2002:7f00:1::]/", false, false},
		{"https://198.18.0.1/", false, false},
	} {
		if err := notify.CheckEndpointURL(tt.url, tt.allowPrivate); (err == nil) != tt.ok {
			t.Errorf("CheckEndpointURL(%q, private %v) = %v, want ok %v", tt.url, tt.allowPrivate, err, tt.ok)
		}
	}
}

func TestEitherSecretVerifiesDuringARotation(t *testing.T) {
	body, now := []byte(`{"id":"e1"}`), time.Now()
	header := notify.SignAll([]string{"new-secret", "old-secret"}, now, body)
	for _, secret := range []string{"new-secret", "old-secret"} {
		if err := notify.Verify(secret, header, body, now, time.Minute); err != nil {
			t.Errorf("%s: %v", secret, err)
		}
	}
	if err := notify.Verify("another", header, body, now, time.Minute); err == nil {
		t.Error("a third secret verified")
	}
}

// An endpoint that has failed for DisableAfter is disabled, the audit log
// and the other endpoints are told; one on a private address is never
// reached unless private addresses are allowed.
func TestFailingEndpointIsDisabled(t *testing.T) {
	db, raw := openDB(t)
	ctx := context.Background()
	signer := tokens.NewSigner("token-secret-0123456789", "http://redress.test")
	var calls atomic.Int32
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		http.Error(w, "no", http.StatusBadGateway)
	}))
	defer down.Close()
	e, err := db.CreateWebhookEndpoint(ctx, down.URL, nil, true, "whsec_test", "test")
	if err != nil {
		t.Fatal(err)
	}
	fileComplaintOf(t, db, signer, redress.Customer{Name: "Li", Email: "li@example.cn"}) // its receipt is the endpoint's

	// Private addresses refused: the receiver never hears of it.
	guarded := &notify.Endpoints{DB: db, Links: signer, Logger: quiet}
	runFor(guarded, 1500*time.Millisecond)
	log, err := db.WebhookDeliveries(ctx, e.ID, 10)
	if err != nil || len(log) != 1 || calls.Load() != 0 || !strings.Contains(log[0].LastError, "private") {
		t.Fatalf("a private endpoint: %d calls, log %+v, %v", calls.Load(), log, err)
	}

	// Allowed, it fails, and after DisableAfter it is disabled.
	open := &notify.Endpoints{DB: db, Links: signer, Logger: quiet, AllowPrivate: true, DisableAfter: time.Second}
	if err := db.Redeliver(ctx, e.ID, log[0].ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	runFor(open, 1500*time.Millisecond)
	got, err := db.WebhookEndpoint(ctx, e.ID)
	if err != nil || got.Enabled || got.DisabledReason == "" || calls.Load() == 0 {
		t.Fatalf("after failing past DisableAfter: %+v, %d calls, %v", got, calls.Load(), err)
	}
	lines, _, err := db.AuditLog(ctx, postgres.AuditFilter{Action: redress.AuditWebhookDisabled, Limit: 10})
	if err != nil || len(lines) != 1 {
		t.Errorf("audit lines: %+v, %v", lines, err)
	}

	// Disabled for failing, it is still owed what happens meanwhile; the
	// delivery set aside while it failed is sent again once it is enabled.
	fileComplaintOf(t, db, signer, redress.Customer{Name: "Wu", Email: "wu@example.cn"})
	if _, err := raw.Exec(ctx, `UPDATE webhook_deliveries SET status = 'failed', first_failed_at = now() WHERE id = $1`, log[0].ID); err != nil {
		t.Fatal(err)
	}
	on := true
	if _, err := db.EditWebhookEndpoint(ctx, e.ID, postgres.WebhookEdit{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	owed, err := db.WebhookDeliveries(ctx, e.ID, 10)
	var types []string
	for _, d := range owed {
		types = append(types, d.EventType+" "+d.Status)
	}
	if want := []string{"complaint.received pending", "webhook.endpoint_disabled pending", "complaint.received pending"}; err != nil || !slices.Equal(types, want) {
		t.Errorf("after enabling it again its deliveries are %v (%v); want %v: the receipt set aside, the notice of its disabling and the receipt written meanwhile", types, err, want)
	}
}

// runFor runs the endpoints' senders for a while.
func runFor(e *notify.Endpoints, d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	e.Run(ctx)
}
