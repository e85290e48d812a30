package api_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/api"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// These tests drive the API's handler on a real database, without Temporal:
// every call they make either needs none or is refused before it would.

var testKeys = []config.APIKey{
	{Name: "crm", Role: config.RoleIntake, Secret: "secret-crm"},
	{Name: "mail-gateway", Role: config.RoleIntake, Secret: "secret-mail"},
	{Name: "wallboard", Role: config.RoleSupervisor, Secret: "secret-wallboard"},
	{Name: "team-lead", Role: config.RoleSupervisor, Secret: "secret-lead"},
}

type limitedAPI struct {
	t       *testing.T
	db      *postgres.DB
	handler http.Handler
}

func newLimitedAPI(t *testing.T, limits config.RateLimits, trustedProxies string) *limitedAPI {
	t.Helper()
	policy, err := redress.ParsePolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	proxies, err := config.ParseProxies(trustedProxies)
	if err != nil {
		t.Fatal(err)
	}
	db := redresstest.NewDB(t)
	srv := api.New(api.Options{DB: db, Policy: policy, Keys: testKeys, PublicURL: "http://redress.test",
		TokenSecret: "test-secret-0123456789", RateLimits: limits, TrustedProxies: proxies,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &limitedAPI{t: t, db: db, handler: srv.Handler()}
}

// call sends a request from the peer address from (host:port) with a staff
// key secret (none when empty) and header pairs.
func (a *limitedAPI) call(method, path, from, key, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = from
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	return rec
}

func (a *limitedAPI) expect(what string, r *httptest.ResponseRecorder, status int) {
	a.t.Helper()
	if r.Code != status {
		a.t.Fatalf("%s: %d %s; want %d", what, r.Code, r.Body, status)
	}
}

// expectLimited checks a refusal: 429 in problem+json, with a Retry-After
// of whole seconds from 1 to most.
func (a *limitedAPI) expectLimited(what string, r *httptest.ResponseRecorder, most int) {
	a.t.Helper()
	a.expect(what, r, http.StatusTooManyRequests)
	var p struct {
		Type   string `json:"type"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if ct := r.Header().Get("Content-Type"); ct != "application/problem+json" {
		a.t.Errorf("%s: Content-Type %q", what, ct)
	}
	if err := json.Unmarshal(r.Body.Bytes(), &p); err != nil || p.Type != "urn:redress:problem:rate_limited" ||
		p.Status != 429 || !strings.Contains(p.Detail, "retry in") {
		a.t.Errorf("%s: problem %s (%v)", what, r.Body, err)
	}
	seconds, err := strconv.Atoi(r.Header().Get("Retry-After"))
	if err != nil || seconds < 1 || seconds > most {
		a.t.Errorf("%s: Retry-After %q; want whole seconds from 1 to %d", what, r.Header().Get("Retry-After"), most)
	}
}

func (a *limitedAPI) metric(series string) string {
	a.t.Helper()
	body := a.call("GET", "/metrics", "192.0.2.1:1", "", "").Body.String()
	for _, line := range strings.Split(body, "\n") {
		if value, ok := strings.CutPrefix(line, series+" "); ok {
			return value
		}
	}
	return "absent"
}

func TestRateLimitHoldsPerKey(t *testing.T) {
	a := newLimitedAPI(t, config.RateLimits{Analytics: config.Rate{PerSecond: 2.0 / 60, Burst: 2}}, "")
	const office = "198.51.100.7:50000" // both keys call from one gateway
	for i := range 2 {
		a.expect("wallboard call "+strconv.Itoa(i), a.call("GET", "/v1/analytics/summary", office, "secret-wallboard", ""), 200)
	}
	a.expectLimited("third wallboard call", a.call("GET", "/v1/analytics/summary", office, "secret-wallboard", ""), 30)
	a.expect("the other key", a.call("GET", "/v1/analytics/summary", office, "secret-lead", ""), 200)
	// Calls without a valid key count against the address, not a key.
	a.expect("a wrong key", a.call("GET", "/v1/analytics/summary", office, "guess", ""), 401)
	a.expect("no key", a.call("GET", "/v1/analytics/summary", office, "", ""), 401)
	a.expectLimited("a third wrong key", a.call("GET", "/v1/analytics/summary", office, "guess", ""), 30)
	a.expect("a route without a limit", a.call("GET", "/v1/complaints", office, "secret-wallboard", ""), 200)

	if got := a.metric(`redress_http_rate_limited_total{group="analytics",limit="requests"}`); got != "2" {
		t.Errorf("analytics refusals in /metrics: %s; want 2", got)
	}
}

func TestRateLimitedIntakeChangesNothing(t *testing.T) {
	a := newLimitedAPI(t, config.RateLimits{Intake: config.Rate{PerSecond: 1.0 / 60, Burst: 1}}, "")
	ctx := context.Background()
	const gateway = "198.51.100.9:40000"
	created := a.call("POST", "/v1/customers", gateway, "secret-crm", `{"external_id":"crm-1","email":"li@example.com"}`)
	a.expect("first customer", created, 201)
	var customer redress.Customer
	if err := json.Unmarshal(created.Body.Bytes(), &customer); err != nil {
		t.Fatal(err)
	}

	a.expectLimited("second customer", a.call("POST", "/v1/customers", gateway, "secret-crm",
		`{"external_id":"crm-2","email":"bo@example.com"}`), 60)
	a.expectLimited("complaint", a.call("POST", "/v1/complaints", gateway, "secret-crm",
		`{"customer":{"id":"`+customer.ID+`"},"channel":"web","subject":"Late","description":"It never came"}`,
		"Idempotency-Key", "crm-late-1"), 60)
	a.expectLimited("purchase", a.call("POST", "/v1/customers/"+customer.ID+"/purchases", gateway, "secret-crm",
		`{"amount":10,"currency":"CNY","at":"2026-01-02T03:04:05Z"}`), 60)
	a.expect("another key, same address", a.call("POST", "/v1/customers", gateway, "secret-mail",
		`{"external_id":"crm-3","email":"wu@example.com"}`), 201)

	if _, stored, err := a.db.UpsertCustomer(ctx, redress.Customer{ExternalID: "crm-2", Email: "bo@example.com"}, "test"); err != nil || !stored {
		t.Errorf("the refused customer was stored (new = %v, %v)", stored, err)
	}
	if complaints, _, err := a.db.Complaints(ctx, postgres.ComplaintFilter{Limit: 10}); err != nil || len(complaints) != 0 {
		t.Errorf("refused intake stored %d complaints (%v)", len(complaints), err)
	}
	if bought, err := a.db.PurchasedSince(ctx, customer.ID, time.Time{}); err != nil || bought {
		t.Errorf("refused purchase stored: %v %v", bought, err)
	}
}

func TestRateLimitHoldsPerAddressOnCustomerRoutes(t *testing.T) {
	a := newLimitedAPI(t, config.RateLimits{Customer: config.Rate{PerSecond: 1.0 / 60, Burst: 3}}, "")
	const home = "203.0.113.5:1111"
	a.expect("track", a.call("GET", "/v1/track/unknown", home, "", ""), 404)
	a.expect("track page", a.call("GET", "/track/unknown", home, "", ""), 404)
	a.expect("survey", a.call("POST", "/v1/surveys/unknown", home, "", `{"score":4}`), 404)
	a.expectLimited("survey page", a.call("GET", "/survey/unknown", home, "", ""), 60)
	a.expectLimited("another port", a.call("GET", "/v1/track/unknown", "203.0.113.5:2222", "", ""), 60)
	a.expectLimited("a forged X-Forwarded-For", a.call("GET", "/v1/track/unknown", home, "", "",
		"X-Forwarded-For", "192.0.2.77"), 60)
	a.expect("another address", a.call("GET", "/v1/track/unknown", "203.0.113.6:1111", "", ""), 404)

	// An IPv6 client counts by its /64.
	for i := range 3 {
		a.expect("IPv6 call "+strconv.Itoa(i), a.call("GET", "/v1/track/unknown", "[2001:db8:0:1::1]:80", "", ""), 404)
	}
	a.expectLimited("same /64", a.call("GET", "/v1/track/unknown", "[2001:db8:0:1::abcd]:80", "", ""), 60)
	a.expect("another /64", a.call("GET", "/v1/track/unknown", "[2001:db8:0:2::1]:80", "", ""), 404)

	if got := a.metric(`redress_http_rate_limited_total{group="customer",limit="requests"}`); got != "4" {
		t.Errorf("customer refusals in /metrics: %s; want 4", got)
	}
}

func TestTrustedProxyNamesTheClient(t *testing.T) {
	a := newLimitedAPI(t, config.RateLimits{Customer: config.Rate{PerSecond: 1.0 / 60, Burst: 1}}, "10.0.0.0/8")
	const proxy = "10.1.2.3:8443"
	a.expect("first client", a.call("GET", "/v1/track/unknown", proxy, "", "", "X-Forwarded-For", "198.51.100.1"), 404)
	a.expectLimited("first client again", a.call("GET", "/v1/track/unknown", proxy, "", "",
		"X-Forwarded-For", "198.51.100.1"), 60)
	a.expect("second client", a.call("GET", "/v1/track/unknown", proxy, "", "", "X-Forwarded-For", "198.51.100.2"), 404)
	// A client that prepends an address of its choice is still itself.
	a.expectLimited("first client, forging", a.call("GET", "/v1/track/unknown", proxy, "", "",
		"X-Forwarded-For", "192.0.2.9, 198.51.100.1"), 60)

	const direct = "192.0.2.50:5000" // not a trusted proxy: its header counts for nothing
	a.expect("direct client", a.call("GET", "/v1/track/unknown", direct, "", "", "X-Forwarded-For", "198.51.100.3"), 404)
	a.expectLimited("direct client, forging", a.call("GET", "/v1/track/unknown", direct, "", "",
		"X-Forwarded-For", "198.51.100.4"), 60)
}

func TestUnknownLinksAreLimitedMoreStrictly(t *testing.T) {
	a := newLimitedAPI(t, config.RateLimits{Customer: config.Rate{PerSecond: 10, Burst: 100},
		TokenMisses: config.Rate{PerSecond: 2.0 / 3600, Burst: 2}}, "")
	const guesser = "198.51.100.66:1"
	a.expect("first miss", a.call("GET", "/v1/track/guess-1", guesser, "", ""), 404)
	a.expect("second miss, on a page", a.call("GET", "/survey/guess-2", guesser, "", ""), 404)
	a.expectLimited("third guess", a.call("GET", "/track/guess-3", guesser, "", ""), 1800)
	a.expectLimited("a reply", a.call("POST", "/v1/track/guess-4/reply", guesser, "", `{"message":"hi"}`), 1800)
	a.expect("another address", a.call("GET", "/v1/track/guess-5", "198.51.100.67:1", "", ""), 404)
	a.expect("staff routes are not counted", a.call("GET", "/v1/complaints/00000000-0000-0000-0000-000000000000",
		guesser, "secret-lead", ""), 404)

	if got := a.metric(`redress_http_rate_limited_total{group="customer",limit="token_misses"}`); got != "2" {
		t.Errorf("misses refused in /metrics: %s; want 2", got)
	}
}

func TestRateLimitsOff(t *testing.T) {
	a := newLimitedAPI(t, config.RateLimits{}, "")
	for i := range 150 {
		a.expect("analytics "+strconv.Itoa(i), a.call("GET", "/v1/analytics/summary", "198.51.100.1:1", "secret-wallboard", ""), 200)
		a.expect("unknown link "+strconv.Itoa(i), a.call("GET", "/v1/track/x", "198.51.100.1:1", "", ""), 404)
		a.expect("no key "+strconv.Itoa(i), a.call("POST", "/v1/complaints", "198.51.100.1:1", "", "{}"), 401)
	}
}

// Every limit parsed from its variable reaches the API: one off, one on.
func TestRateLimitSettingsReachTheAPI(t *testing.T) {
	t.Setenv("REDRESS_RATE_ANALYTICS", "0")
	t.Setenv("REDRESS_RATE_CUSTOMER", "1/min burst 1")
	t.Setenv("REDRESS_RATE_TOKEN_MISSES", "off")
	cfg := configFromEnvironment(t)
	a := newLimitedAPI(t, cfg.RateLimits, "")
	for range 70 {
		a.expect("analytics", a.call("GET", "/v1/analytics/summary", "198.51.100.1:1", "secret-wallboard", ""), 200)
	}
	a.expect("first link", a.call("GET", "/v1/track/x", "198.51.100.1:1", "", ""), 404)
	a.expectLimited("second link", a.call("GET", "/v1/track/x", "198.51.100.1:1", "", ""), 60)
}

func configFromEnvironment(t *testing.T) *config.Config {
	t.Helper()
	cfg := config.Flags(flag.NewFlagSet("redress", flag.ContinueOnError))
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	return cfg
}
