package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/redress-dev/redress/redresstest"
)

func countComplaints(t *testing.T, s *redresstest.Stack) int {
	t.Helper()
	r := s.Do("GET", "/v1/complaints?limit=200", "dev-agent", nil)
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	r.JSON(t, &page)
	return len(page.Items)
}

func TestConcurrentRetriesUnderOneIdempotencyKey(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	body := newComplaint("crm-10")
	const clients = 16
	answers := make([]created, clients)
	statuses := make([]int, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.Do("POST", "/v1/complaints", "dev-intake", body, "Idempotency-Key", "order-555-retry")
			statuses[i] = r.Status
			if r.Status == http.StatusCreated {
				r.JSON(t, &answers[i])
			}
		}()
	}
	wg.Wait()
	for i := range clients {
		if statuses[i] != http.StatusCreated || answers[i].ID != answers[0].ID || answers[i].TrackingToken != answers[0].TrackingToken {
			t.Fatalf("answer %d: %d %s/%s; want every retry to get the first answer %s", i, statuses[i],
				answers[i].ID, answers[i].TrackingToken, answers[0].ID)
		}
	}
	if n := countComplaints(t, s); n != 1 {
		t.Errorf("%d complaints stored, want 1", n)
	}
	body["subject"] = "Another problem"
	if r := s.Do("POST", "/v1/complaints", "dev-intake", body, "Idempotency-Key", "order-555-retry"); r.Status != http.StatusConflict {
		t.Errorf("same key, other body = %d %s", r.Status, r.Body)
	}
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	valid := `{"customer":{"external_id":"e1","email":"a@b.cn"},"channel":"web","subject":"s","description":"d"}`
	with := func(field, value string) string {
		var m map[string]any
		json.Unmarshal([]byte(valid), &m)
		if value == "" {
			delete(m, field)
		} else {
			var v any
			if err := json.Unmarshal([]byte(value), &v); err != nil {
				t.Fatal(err)
			}
			m[field] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	tests := []struct {
		name   string
		body   string
		header []string
		status int
		field  string
	}{
		{"malformed JSON", `{"customer":`, nil, 400, ""},
		{"not an object", `[1,2]`, nil, 400, ""},
		{"two objects", valid + valid, nil, 400, ""},
		{"empty body", ``, nil, 400, ""},
		{"null", `null`, nil, 422, "customer"},
		{"unknown field", with("priority", `"P1"`), nil, 422, "priority"},
		{"unknown nested field", `{"customer":{"external_id":"e","vip":true},"channel":"web","subject":"s","description":"d"}`, nil, 422, "vip"},
		{"subject is a number", with("subject", `42`), nil, 422, "subject"},
		{"customer is a string", with("customer", `"li"`), nil, 422, "customer"},
		{"bad channel", with("channel", `"fax"`), nil, 422, "channel"},
		{"bad category", with("category", `"weather"`), nil, 422, "category"},
		{"bad severity", with("severity", `"apocalyptic"`), nil, 422, "severity"},
		{"bad tier", `{"customer":{"external_id":"e","tier":"platinum"},"channel":"web","subject":"s","description":"d"}`, nil, 422, "customer.tier"},
		{"bad email", `{"customer":{"external_id":"e","email":"not-mail"},"channel":"web","subject":"s","description":"d"}`, nil, 422, "customer.email"},
		{"no customer", with("customer", ""), nil, 422, "customer"},
		{"customer without contact", with("customer", `{"name":"Anon"}`), nil, 422, "customer"},
		{"unknown customer id", with("customer", `{"id":"01a20000-0000-7000-8000-000000000000"}`), nil, 422, "customer.id"},
		{"malformed customer id", with("customer", `{"id":"42"}`), nil, 422, "customer.id"},
		{"id and details", with("customer", `{"id":"01a20000-0000-7000-8000-000000000000","name":"x"}`), nil, 422, "customer"},
		{"empty subject", with("subject", `"   "`), nil, 422, "subject"},
		{"missing description", with("description", ""), nil, 422, "description"},
		{"NUL in text", with("description", `"bad\u0000byte"`), nil, 422, "description"},
		{"subject too long", with("subject", `"`+strings.Repeat("长", 201)+`"`), nil, 422, "subject"},
		{"oversized body", with("description", `"`+strings.Repeat("x", 70000)+`"`), nil, 413, ""},
		{"wrong content type", valid, []string{"Content-Type", "text/plain"}, 415, ""},
		{"bad idempotency key", valid, []string{"Idempotency-Key", "has space"}, 422, "Idempotency-Key"},
	}
	for _, tt := range tests {
		r := s.Do("POST", "/v1/complaints", "dev-intake", tt.body, tt.header...)
		var p struct {
			Type   string `json:"type"`
			Title  string `json:"title"`
			Status int    `json:"status"`
			Detail string `json:"detail"`
			Errors []struct{ Field, Message string }
		}
		if r.Status != tt.status || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %q %s; want %d problem+json", tt.name, r.Status, r.Header.Get("Content-Type"), r.Body, tt.status)
			continue
		}
		r.JSON(t, &p)
		if p.Status != tt.status || p.Type == "" || p.Title == "" || p.Detail == "" {
			t.Errorf("%s: problem %+v", tt.name, p)
		}
		if tt.field != "" && !strings.Contains(string(r.Body), `"field":"`+tt.field) {
			t.Errorf("%s: errors do not name %s: %s", tt.name, tt.field, r.Body)
		}
	}

	lists := []struct{ query, field string }{
		{"status=lost", "status"}, {"priority=P9", "priority"}, {"escalated=maybe", "escalated"},
		{"limit=0", "limit"}, {"limit=201", "limit"}, {"limit=ten", "limit"}, {"cursor=abc", "cursor"}, {"colour=red", "colour"},
	}
	for _, l := range lists {
		r := s.Do("GET", "/v1/complaints?"+l.query, "dev-agent", nil)
		if r.Status/100 != 4 || !strings.Contains(string(r.Body), l.field) {
			t.Errorf("GET ?%s = %d %s", l.query, r.Status, r.Body)
		}
	}
	if n := countComplaints(t, s); n != 0 {
		t.Errorf("bad requests stored %d complaints", n)
	}
	if r := s.Do("POST", "/v1/complaints", "dev-intake", valid); r.Status != http.StatusCreated {
		t.Errorf("the valid body itself = %d %s", r.Status, r.Body)
	}
	// Unicode text is fine.
	zh := `{"customer":{"external_id":"e2","phone":"+86 138 0000 0000"},"channel":"chat","subject":"客服态度差 😠","description":"店员不理我"}`
	r := s.Do("POST", "/v1/complaints", "dev-intake", zh)
	var c created
	if r.Status != http.StatusCreated {
		t.Fatalf("unicode complaint = %d %s", r.Status, r.Body)
	}
	r.JSON(t, &c)
	if c.Subject != "客服态度差 😠" || c.Category != "service" {
		t.Errorf("unicode complaint stored as %q, category %s", c.Subject, c.Category)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	var ids []string
	for i := range 5 {
		body := newComplaint("crm-list")
		body["order_ref"] = fmt.Sprint("ORD-", i)
		if i%2 == 0 {
			body["category"] = "safety"
		}
		ids = append(ids, file(t, s, body).ID)
	}
	var seen []string
	cursor := ""
	for range 5 {
		r := s.Do("GET", "/v1/complaints?limit=2&cursor="+cursor, "dev-intake", nil)
		var page struct {
			Items      []created `json:"items"`
			NextCursor string    `json:"next_cursor"`
		}
		r.JSON(t, &page)
		for _, c := range page.Items {
			seen = append(seen, c.ID)
			if c.TrackingToken != "" {
				t.Error("a list shows a tracking token")
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	want := []string{ids[4], ids[3], ids[2], ids[1], ids[0]}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("pages = %v, want newest first %v", seen, want)
	}
	r := s.Do("GET", "/v1/complaints?priority=P1&category=safety", "dev-agent", nil)
	var page struct{ Items []created }
	r.JSON(t, &page)
	if len(page.Items) != 3 {
		t.Errorf("P1 safety complaints: %d, want 3", len(page.Items))
	}
}
