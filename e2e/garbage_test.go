package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/redress-dev/redress/redresstest"
)

// mutate returns a random corruption of a JSON object: a field dropped,
// retyped, emptied, nulled, made huge or odd, or an unknown one added.
func mutate(r *rand.Rand, valid map[string]any) any {
	odd := []any{nil, "", " ", 0, -1, 1e308, 3.5, true, []any{}, map[string]any{}, strings.Repeat("長", 3000),
		"\u0000", "\ufffd\ud7ff", "'; DROP TABLE complaints; --", "<script>alert(1)</script>", "%s%n", "9999-99-99T99:99:99Z",
		map[string]any{"nested": map[string]any{"deeper": []any{1, "2", nil}}}}
	out := map[string]any{}
	for k, v := range valid {
		out[k] = v
	}
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	for range 1 + r.IntN(3) {
		switch r.IntN(4) {
		case 0:
			if len(keys) > 0 {
				delete(out, keys[r.IntN(len(keys))])
			}
		case 1:
			out[fmt.Sprintf("field%d", r.IntN(5))] = odd[r.IntN(len(odd))]
		default:
			if len(keys) > 0 {
				out[keys[r.IntN(len(keys))]] = odd[r.IntN(len(odd))]
			}
		}
	}
	if r.IntN(10) == 0 {
		return odd[r.IntN(len(odd))] // not even an object
	}
	return out
}

func TestNoInputCausesA5xx(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: lifecyclePolicy})
	c := file(t, s, newComplaint("crm-garbage"))
	ok(t, "resolve", s.Do("POST", "/v1/complaints/"+c.ID+"/resolve", "dev-agent",
		map[string]any{"resolution_type": "refund", "summary": "s", "root_cause": "other"}), 200)
	targets := []struct {
		method, path, key string
		valid             map[string]any
	}{
		{"POST", "/v1/complaints", "dev-intake", newComplaint("crm-g")},
		{"POST", "/v1/complaints/" + c.ID + "/acknowledge", "dev-agent", map[string]any{"agent": "ana"}},
		{"POST", "/v1/complaints/" + c.ID + "/assign", "dev-supervisor", map[string]any{"agent": "bo"}},
		{"POST", "/v1/complaints/" + c.ID + "/updates", "dev-agent", map[string]any{"message": "m", "waiting_on_customer": true}},
		{"POST", "/v1/complaints/" + c.ID + "/escalate", "dev-agent", map[string]any{"reason": "r"}},
		{"POST", "/v1/complaints/" + c.ID + "/resolve", "dev-agent", map[string]any{"resolution_type": "refund", "summary": "s",
			"root_cause": "other", "compensation": map[string]any{"amount": 1, "currency": "CNY"}}},
		{"POST", "/v1/track/" + c.TrackingToken + "/reply", "", map[string]any{"message": "m"}},
		{"POST", "/v1/track/" + c.TrackingToken + "/reopen", "", map[string]any{"reason": "r"}},
		{"POST", "/v1/track/" + c.TrackingToken + "/confirm", "", map[string]any{}},
		{"POST", "/v1/surveys/whatever", "", map[string]any{"score": 3}},
		{"POST", "/v1/customers", "dev-intake", map[string]any{"external_id": "x", "email": "a@b.cn", "tier": "gold"}},
		{"POST", "/v1/customers/" + c.CustomerID + "/purchases", "dev-intake", map[string]any{"amount": 1, "currency": "CNY", "at": "2026-11-01T00:00:00Z"}},
		{"POST", "/v1/campaigns", "dev-admin", map[string]any{"dry_run": true, "limit": 3}},
		{"POST", "/v1/complaints/" + c.ID + "/notes", "dev-agent", map[string]any{"message": "m", "agent": "ana"}},
		{"POST", "/codec/sign-in", "", map[string]any{"key": "dev-supervisor"}},
		{"POST", "/codec/decode", "dev-supervisor", map[string]any{"payloads": []any{map[string]any{"data": "eA=="}}}},
	}
	queries := []string{"/v1/complaints?status=%ff", "/v1/complaints?limit=-1&cursor=eyJ0IjoiMCJ9", "/v1/complaints?cursor=eyJ0IjoiMjAyNi0xMS0wMVQwMDowMDowMFoiLCJpIjoiMDFhMjA0YzUtMmViMy03MThmLTgxOTYtMDE2NDQwZTg4MzI2In0",
		"/v1/complaints?customer_id=%00", "/v1/complaints/%2e%2e%2f", "/v1/complaints/" + strings.Repeat("a", 5000),
		"/v1/track/%ff%fe", "/track/" + strings.Repeat("x", 3000), "/survey/%00", "/v1/analytics/summary?from=2026-13-01T00:00:00Z",
		"/v1/customers/00000000-0000-0000-0000-000000000000", "/v1/complaints?escalated=1&breached=0&priority=P1",
		"/v1/campaigns/%2e%2e", "/v1/campaigns/" + strings.Repeat("z", 500), "/codec/sign-in?key=%ff"}
	r := rand.New(rand.NewPCG(1, 2)) // fixed: a failure replays the same way

	for i := range 400 {
		tg := targets[r.IntN(len(targets))]
		body, _ := json.Marshal(mutate(r, tg.valid))
		headers := []string{}
		if r.IntN(5) == 0 {
			headers = append(headers, "Idempotency-Key", fmt.Sprintf("k-%d", r.IntN(3)))
		}
		if r.IntN(8) == 0 {
			headers = append(headers, "Content-Type", []string{"text/plain", "application/json; charset=latin1", "application/x-www-form-urlencoded", ""}[r.IntN(4)])
		}
		resp := s.Do(tg.method, tg.path, tg.key, body, headers...)
		if resp.Status >= 500 {
			t.Errorf("request %d: %s %s %s -> %d %s", i, tg.method, tg.path, body, resp.Status, resp.Body)
		}
	}
	for _, q := range queries {
		if resp := s.Do("GET", q, "dev-admin", nil); resp.Status >= 500 {
			t.Errorf("GET %.80s -> %d %s", q, resp.Status, resp.Body)
		}
	}
	if resp := s.Do("GET", "/readyz", "", nil); resp.Status != http.StatusOK {
		t.Errorf("the stack is unwell after the barrage: %d %s", resp.Status, resp.Body)
	}
}
