package e2e

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/redresstest"
)

// expectLimited checks a refusal by a rate limit: 429 in problem+json with a
// Retry-After of whole seconds from 1 to most. It returns the seconds.
func expectLimited(t *testing.T, what string, r *redresstest.Response, most int) int {
	t.Helper()
	ok(t, what, r, http.StatusTooManyRequests)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" ||
		!strings.Contains(string(r.Body), `"type":"urn:redress:problem:rate_limited"`) {
		t.Errorf("%s: %s %s", what, ct, r.Body)
	}
	seconds, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || seconds < 1 || seconds > most {
		t.Errorf("%s: Retry-After %q; want whole seconds from 1 to %d", what, r.Header.Get("Retry-After"), most)
	}
	return seconds
}

// The service's own defaults: every other test turns the limits off.
func TestDefaultRateLimitsAreOn(t *testing.T) {
	limits := config.DefaultRateLimits()
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy, RateLimits: &limits})
	filed := file(t, s, newComplaint("crm-limits"))

	// The intake key spends its burst (100) on bodies that fail validation.
	for i := 0; ; i++ {
		r := s.Do("POST", "/v1/complaints", "dev-intake", "{}")
		if r.Status == http.StatusTooManyRequests {
			expectLimited(t, "intake past its burst", r, 1)
			break
		}
		if r.Status != http.StatusUnprocessableEntity || i == 1000 {
			t.Fatalf("call %d: %d %s; want 422 until the limit holds", i, r.Status, r.Body)
		}
	}
	// A valid complaint is refused too (a token comes back every 50 ms, so
	// one may pass first) and stores nothing: its key is unused afterwards.
	var refusedKey string
	var wait int
	for i := 0; refusedKey == "" && i < 100; i++ {
		key := fmt.Sprintf("crm-limited-%d", i)
		r := s.Do("POST", "/v1/complaints", "dev-intake", newComplaint(key), "Idempotency-Key", key)
		if r.Status == http.StatusTooManyRequests {
			refusedKey, wait = key, expectLimited(t, "a valid complaint", r, 1)
		} else {
			ok(t, "a valid complaint", r, http.StatusCreated)
		}
	}
	if refusedKey == "" {
		t.Fatal("no valid complaint was refused")
	}
	ok(t, "another intake key", s.Do("POST", "/v1/complaints", "dev-admin", newComplaint("crm-other")), http.StatusCreated)
	time.Sleep(time.Duration(wait) * time.Second)
	retried := ok(t, "the refused complaint, after Retry-After", s.Do("POST", "/v1/complaints", "dev-intake",
		newComplaint(refusedKey), "Idempotency-Key", refusedKey), http.StatusCreated)
	if retried.Header.Get("Idempotent-Replayed") != "" {
		t.Error("the refused complaint had been stored: its retry was a replay")
	}

	// Calls on a good link are not misses: more of them than the misses'
	// burst (10) all pass.
	for i := range 12 {
		ok(t, "track "+strconv.Itoa(i), s.Do("GET", "/v1/track/"+filed.TrackingToken, "", nil), http.StatusOK)
	}
	for i := range 10 {
		ok(t, "unknown link "+strconv.Itoa(i), s.Do("GET", "/v1/track/not-a-link-"+strconv.Itoa(i), "", nil), http.StatusNotFound)
	}
	expectLimited(t, "eleventh unknown link", s.Do("GET", "/v1/track/not-a-link-10", "", nil), 180)
	expectLimited(t, "the good link, from the guessing address", s.Do("GET", "/v1/track/"+filed.TrackingToken, "", nil), 180)
	expectLimited(t, "the tracking page, from the guessing address", s.Do("GET", "/track/"+filed.TrackingToken, "", nil), 180)

	metrics := string(ok(t, "metrics", s.Do("GET", "/metrics", "", nil), http.StatusOK).Body)
	for _, series := range []string{`redress_http_rate_limited_total{group="intake",limit="requests"}`,
		`redress_http_rate_limited_total{group="customer",limit="token_misses"} 3`} {
		if !strings.Contains(metrics, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
}
