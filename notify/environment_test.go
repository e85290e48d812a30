package notify_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
)

// REDRESS_WEBHOOK_URL is an endpoint like the others: made when the worker
// starts, with the events the outbox's former webhook channel had not yet
// delivered carried over (and none it had), delivered on this machine's
// network and signed with REDRESS_WEBHOOK_SECRET; listed first; a new
// secret keeps the old one signing; a new URL enables it again; a worker
// without the variable leaves it be; the store refuses to change its URL
// or secret, but an admin may remove it.
func TestEnvironmentWebhookIsAnEndpoint(t *testing.T) {
	db, conn := openDB(t)
	ctx := context.Background()
	signer := tokens.NewSigner("token-secret-0123456789", "http://redress.test")
	if err := notify.KeepEnvironmentWebhook(ctx, notify.ChannelOptions{}, db); err != nil {
		t.Fatalf("a worker without REDRESS_WEBHOOK_URL: %v", err)
	}
	_, sentBefore := fileComplaint(t, db, signer, "sent@example.com")
	_, waiting := fileComplaint(t, db, signer, "waiting@example.com")
	// Before the upgrade, the old webhook channel had sent the first
	// complaint's receipt, not the second's.
	if err := db.MarkChannelDelivered(ctx, sentBefore+"-1-complaint.received", "webhook"); err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateWebhookEndpoint(ctx, "https://hooks.example.com/x", []string{"complaint.resolved"}, true, "whsec_other", "test")
	if err != nil {
		t.Fatal(err)
	}

	hook := &receiver{}
	srv := httptest.NewServer(hook) // on loopback: allowed for the environment's endpoint alone
	defer srv.Close()
	settings := notify.ChannelOptions{WebhookURL: srv.URL, WebhookSecret: webhookSecret}
	if err := notify.KeepEnvironmentWebhook(ctx, settings, db); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []notify.ChannelOptions{{WebhookURL: srv.URL, WebhookSecret: "short"}, {WebhookURL: "http://hooks.example.com/", WebhookSecret: webhookSecret}} {
		if err := notify.KeepEnvironmentWebhook(ctx, bad, db); err == nil {
			t.Errorf("the settings %+v were taken", bad)
		}
	}
	endpoints := notify.NewEndpoints(settings, db, signer, quiet)
	run, stop := context.WithCancel(ctx)
	go endpoints.Run(run)
	defer stop()
	waitFor(t, "the carried-over receipt", func() bool { return len(hook.received()) == 1 })
	_, after := fileComplaint(t, db, signer, "after@example.com")
	waitFor(t, "the receipt filed afterwards", func() bool { return len(hook.received()) == 2 })
	stop()
	if got, want := hook.received(), []string{waiting + "-1-complaint.received", after + "-1-complaint.received"}; !slices.Equal(got, want) {
		t.Errorf("the environment's receiver got %v; want %v", got, want)
	}

	list, err := db.WebhookEndpoints(ctx)
	if err != nil || len(list) != 2 || list[0].ManagedBy != postgres.ManagedByEnvironment || list[0].URL != srv.URL || list[1].ID != other.ID {
		t.Fatalf("endpoints: %+v, %v", list, err)
	}
	env := list[0]
	log, err := db.WebhookDeliveries(ctx, env.ID, 10)
	if err != nil || len(log) != 2 || log[0].Status != "delivered" || log[0].ResponseCode == nil || *log[0].ResponseCode != 200 {
		t.Errorf("the environment's delivery log: %+v, %v", log, err)
	}

	rotated, err := db.SyncEnvironmentWebhook(ctx, srv.URL, "webhook-secret-the-next-one")
	if err != nil || rotated.ID != env.ID || !slices.Equal(rotated.Secrets, []string{"webhook-secret-the-next-one", webhookSecret}) {
		t.Errorf("after REDRESS_WEBHOOK_SECRET changed: %+v, %v; want both secrets signing", rotated, err)
	}
	if _, err := conn.Exec(ctx, `UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'failing' WHERE id = $1`, env.ID); err != nil {
		t.Fatal(err)
	}
	moved, err := db.SyncEnvironmentWebhook(ctx, "https://hooks.example.com/redress", "webhook-secret-the-next-one")
	if err != nil || moved.ID != env.ID || !moved.Enabled || moved.URL != "https://hooks.example.com/redress" {
		t.Errorf("after REDRESS_WEBHOOK_URL changed: %+v, %v; want it enabled at the new URL", moved, err)
	}
	if err := notify.KeepEnvironmentWebhook(ctx, notify.ChannelOptions{}, db); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.WebhookEndpoints(ctx); len(list) != 2 || list[0].ID != env.ID || list[0].URL != moved.URL {
		t.Errorf("a worker without REDRESS_WEBHOOK_URL changed the endpoints: %+v", list)
	}
	if _, err := db.RotateWebhookSecret(ctx, env.ID, "whsec_by_an_admin", time.Hour); err == nil {
		t.Error("the store rotated the environment's secret")
	}
	if _, err := db.EditWebhookEndpoint(ctx, env.ID, postgres.WebhookEdit{URL: &other.URL}); err == nil {
		t.Error("the store moved the environment's endpoint")
	}
	if err := db.DeleteWebhookEndpoint(ctx, env.ID); err != nil {
		t.Errorf("an admin removes the environment's endpoint: %v", err)
	}
}

// received are the ids of the events the receiver took, in order.
func (rc *receiver) received() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var ids []string
	for _, e := range rc.events {
		ids = append(ids, e["id"].(string))
	}
	return ids
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in 20 s", what)
		}
	}
}
