package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// receiver is an integrator's endpoint: it keeps the events whose
// signature one of its secrets verifies, in the order they came, and
// answers 500 while failing is set.
type receiver struct {
	mu      sync.Mutex
	secrets []string
	events  []redress.Event
	bad     int // deliveries whose signature did not verify
	failing atomic.Bool
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if r.failing.Load() {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	verified := false
	for _, s := range r.secrets {
		if notify.Verify(s, req.Header.Get(notify.SignatureHeader), body, time.Now(), 5*time.Minute) == nil {
			verified = true
		}
	}
	var e redress.Event
	if !verified || json.Unmarshal(body, &e) != nil {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.events = append(r.events, e)
}

func (r *receiver) got() []redress.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *receiver) trust(secrets ...string) {
	r.mu.Lock()
	r.secrets = secrets
	r.mu.Unlock()
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
		}
	}
}

type endpointCreated struct {
	postgres.WebhookEndpoint
	Secret string `json:"secret"`
}

// Webhook endpoints managed over the API (SPEC section 14), with two
// receivers: the healthy one gets every event it asked for, in order and
// at once, while the other fails; the failing one's deliveries are logged
// and retried, and once it is back it gets them in order, and one again by
// hand; a rotated secret and the one before both sign during the overlap.
func TestWebhookEndpoints(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	healthy, failing := &receiver{}, &receiver{}
	failing.failing.Store(true)
	healthyServer, failingServer := httptest.NewServer(healthy), httptest.NewServer(failing)
	defer healthyServer.Close()
	defer failingServer.Close()

	// Bad input changes nothing.
	ok(t, "an agent", s.Do("POST", "/v1/webhooks", "dev-agent", map[string]any{"url": healthyServer.URL}), 403)
	ok(t, "no URL", s.Do("POST", "/v1/webhooks", "dev-admin", map[string]any{}), 422)
	ok(t, "not http", s.Do("POST", "/v1/webhooks", "dev-admin", map[string]any{"url": "ftp://example.com/x"}), 422)
	ok(t, "an unknown event type", s.Do("POST", "/v1/webhooks", "dev-admin", map[string]any{"url": healthyServer.URL,
		"event_types": []string{"complaint.exploded"}}), 422)
	ok(t, "an unknown endpoint", s.Do("GET", "/v1/webhooks/0193b6a0-0000-7000-8000-000000000000", "dev-admin", nil), 404)

	var first, second endpointCreated
	ok(t, "the healthy endpoint", s.Do("POST", "/v1/webhooks", "dev-admin", map[string]any{"url": healthyServer.URL,
		"event_types": []string{redress.EventReceived, redress.EventAcknowledged, redress.EventUpdated}}), 201).JSON(t, &first)
	ok(t, "the failing endpoint", s.Do("POST", "/v1/webhooks", "dev-admin", map[string]any{"url": failingServer.URL}), 201).JSON(t, &second)
	if len(first.Secret) < 40 || first.Secret == second.Secret {
		t.Fatalf("secrets %q and %q", first.Secret, second.Secret)
	}
	healthy.trust(first.Secret)
	failing.trust(second.Secret)
	var read map[string]any
	ok(t, "read", s.Do("GET", "/v1/webhooks/"+first.ID, "dev-admin", nil), 200).JSON(t, &read)
	if read["secret"] != nil {
		t.Errorf("a read shows the secret")
	}

	c := file(t, s, newComplaint("crm-webhooks"))
	path := "/v1/complaints/" + c.ID
	ok(t, "acknowledge", s.Do("POST", path+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}), 200)
	for i := range 3 {
		ok(t, "update", s.Do("POST", path+"/updates", "dev-agent", map[string]any{"message": "Update " + strconv.Itoa(i)}), 200)
	}
	want := []string{redress.EventReceived, redress.EventAcknowledged, redress.EventUpdated, redress.EventUpdated, redress.EventUpdated}
	waitFor(t, "the healthy endpoint's five events", 10*time.Second, func() bool { return len(healthy.got()) >= len(want) })
	var types []string
	for _, e := range healthy.got() {
		types = append(types, e.Type)
	}
	if !slices.Equal(types, want) {
		t.Errorf("the healthy endpoint got %v, want %v", types, want)
	}

	// The failing endpoint's log: pending, retried, the answer kept.
	var log struct {
		Deliveries []postgres.WebhookDelivery `json:"deliveries"`
	}
	waitFor(t, "a retried delivery", 20*time.Second, func() bool {
		ok(t, "deliveries", s.Do("GET", "/v1/webhooks/"+second.ID+"/deliveries", "dev-admin", nil), 200).JSON(t, &log)
		return len(log.Deliveries) > 0 && log.Deliveries[len(log.Deliveries)-1].Attempts >= 2
	})
	oldest := log.Deliveries[len(log.Deliveries)-1]
	if oldest.Status != "pending" || oldest.ResponseCode == nil || *oldest.ResponseCode != 500 || oldest.LastError == "" ||
		oldest.EventType != redress.EventReceived {
		t.Errorf("the failing endpoint's first delivery: %+v", oldest)
	}

	// Back up: everything arrives, in the complaint's order.
	failing.failing.Store(false)
	waitFor(t, "the failing endpoint's events after it came back", 40*time.Second, func() bool { return len(failing.got()) >= len(want) })
	var order []string
	for _, e := range failing.got()[:len(want)] {
		order = append(order, e.Type)
	}
	if !slices.Equal(order, want) {
		t.Errorf("after coming back the endpoint got %v, want %v", order, want)
	}
	ok(t, "deliveries", s.Do("GET", "/v1/webhooks/"+second.ID+"/deliveries", "dev-admin", nil), 200).JSON(t, &log)
	oldest = log.Deliveries[len(log.Deliveries)-1]
	if oldest.Status != "delivered" || oldest.ResponseCode == nil || *oldest.ResponseCode != 200 || oldest.LatencyMS == nil || oldest.DeliveredAt == nil {
		t.Errorf("a delivered delivery: %+v", oldest)
	}

	// Redelivered by hand: the same event again.
	before := len(failing.got())
	ok(t, "redeliver", s.Do("POST", "/v1/webhooks/"+second.ID+"/deliveries/"+strconv.FormatInt(oldest.ID, 10)+"/redeliver", "dev-admin", nil), 202)
	waitFor(t, "the redelivery", 10*time.Second, func() bool { return len(failing.got()) > before })
	if again := failing.got()[before]; again.ID != oldest.EventID {
		t.Errorf("redelivered %s, want %s", again.ID, oldest.EventID)
	}

	// Rotation: during the overlap a receiver that knows either secret verifies.
	var rotated endpointCreated
	ok(t, "rotate", s.Do("POST", "/v1/webhooks/"+first.ID+"/rotate", "dev-admin", map[string]any{"overlap": "1h"}), 200).JSON(t, &rotated)
	if rotated.Secret == "" || rotated.Secret == first.Secret || rotated.PreviousUntil == nil {
		t.Fatalf("rotation: %+v", rotated)
	}
	for i, secret := range []string{rotated.Secret, first.Secret} {
		healthy.trust(secret)
		n := len(healthy.got())
		ok(t, "update", s.Do("POST", path+"/updates", "dev-agent", map[string]any{"message": "After the rotation " + strconv.Itoa(i)}), 200)
		waitFor(t, "an event signed after the rotation", 10*time.Second, func() bool { return len(healthy.got()) > n })
	}
	if healthy.bad != 0 {
		t.Errorf("%d deliveries did not verify", healthy.bad)
	}

	// Disabled, an endpoint gets nothing.
	ok(t, "disable", s.Do("PATCH", "/v1/webhooks/"+second.ID, "dev-admin", map[string]any{"enabled": false}), 200)
	ok(t, "delete", s.Do("DELETE", "/v1/webhooks/"+first.ID, "dev-admin", nil), 204)
	var list struct {
		Endpoints []endpointCreated `json:"endpoints"`
	}
	ok(t, "list", s.Do("GET", "/v1/webhooks", "dev-admin", nil), 200).JSON(t, &list)
	if len(list.Endpoints) != 1 || list.Endpoints[0].ID != second.ID || list.Endpoints[0].Enabled {
		t.Errorf("the endpoints left: %+v", list.Endpoints)
	}
}

// REDRESS_WEBHOOK_URL over the API: the first endpoint, managed by the
// environment, with its delivery log and redelivery like any other; its
// URL, events and secret are the environment's (409 here), but an admin
// may disable it, enable it again, and remove it (a worker started with
// the variable makes it again).
func TestEnvironmentWebhookOverTheAPI(t *testing.T) {
	const secret = "environment-secret-0123456789"
	hook := &receiver{}
	hook.trust(secret)
	srv := httptest.NewServer(hook)
	defer srv.Close()
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy, WebhookURL: srv.URL, WebhookSecret: secret})
	added := ok(t, "another endpoint", s.Do("POST", "/v1/webhooks", "dev-admin", map[string]any{"url": "https://hooks.example.com/x"}), 201)
	var other endpointCreated
	added.JSON(t, &other)

	var list struct {
		Endpoints []endpointCreated `json:"endpoints"`
	}
	waitFor(t, "the environment's endpoint", 10*time.Second, func() bool {
		ok(t, "list", s.Do("GET", "/v1/webhooks", "dev-admin", nil), 200).JSON(t, &list)
		return len(list.Endpoints) == 2
	})
	env := list.Endpoints[0]
	if env.ManagedBy != "environment" || env.URL != srv.URL || !env.Enabled || list.Endpoints[1].ID != other.ID {
		t.Fatalf("the endpoints: %+v", list.Endpoints)
	}
	c := file(t, s, newComplaint("crm-env-hook"))
	waitFor(t, "the receipt at the environment's URL", 10*time.Second, func() bool { return len(hook.got()) == 1 })
	if e := hook.got()[0]; e.Type != redress.EventReceived || e.ComplaintID != c.ID {
		t.Errorf("the environment's receiver got %+v", e)
	}
	var log struct {
		Deliveries []postgres.WebhookDelivery `json:"deliveries"`
	}
	ok(t, "its deliveries", s.Do("GET", "/v1/webhooks/"+env.ID+"/deliveries", "dev-admin", nil), 200).JSON(t, &log)
	if len(log.Deliveries) != 1 || log.Deliveries[0].Status != "delivered" || log.Deliveries[0].ResponseCode == nil {
		t.Fatalf("the environment's log: %+v", log.Deliveries)
	}
	ok(t, "redeliver", s.Do("POST", "/v1/webhooks/"+env.ID+"/deliveries/"+strconv.FormatInt(log.Deliveries[0].ID, 10)+"/redeliver", "dev-admin", nil), 202)
	waitFor(t, "the receipt again", 10*time.Second, func() bool { return len(hook.got()) == 2 })

	for _, refused := range []struct {
		what, method, path string
		body               any
	}{
		{"a new URL", "PATCH", "", map[string]any{"url": "https://elsewhere.example.com/"}},
		{"other events", "PATCH", "", map[string]any{"event_types": []string{"complaint.resolved"}}},
		{"a rotation", "POST", "/rotate", map[string]any{}},
	} {
		ok(t, refused.what, s.Do(refused.method, "/v1/webhooks/"+env.ID+refused.path, "dev-admin", refused.body), 409)
	}
	ok(t, "disable", s.Do("PATCH", "/v1/webhooks/"+env.ID, "dev-admin", map[string]any{"enabled": false}), 200)
	file(t, s, newComplaint("crm-env-hook-2"))
	ok(t, "enable", s.Do("PATCH", "/v1/webhooks/"+env.ID, "dev-admin", map[string]any{"enabled": true}), 200)
	third := file(t, s, newComplaint("crm-env-hook-3"))
	waitFor(t, "the receipt filed after enabling", 10*time.Second, func() bool { return len(hook.got()) == 3 })
	if e := hook.got()[2]; e.ComplaintID != third.ID {
		t.Errorf("after enabling the receiver got %+v; nothing is owed for the time it was disabled", e)
	}
	ok(t, "removal", s.Do("DELETE", "/v1/webhooks/"+env.ID, "dev-admin", nil), 204)
	ok(t, "the list after", s.Do("GET", "/v1/webhooks", "dev-admin", nil), 200).JSON(t, &list)
	if len(list.Endpoints) != 1 || list.Endpoints[0].ID != other.ID {
		t.Errorf("after removing the environment's endpoint the list is %+v", list.Endpoints)
	}
}
