package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/openapi"
	"github.com/redress-dev/redress/openapi/openapitest"
	"github.com/redress-dev/redress/redresstest"
)

// TestEveryRouteIsDescribed holds openapi.yaml to the routes the server
// really serves, both ways: each route of every front door is in the
// document with its method, and each operation of the document is served.
// (Every request and answer of the other tests is held to the document
// by the stacks' check, redresstest.checkAgainstTheDescription.)
func TestEveryRouteIsDescribed(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy, Mail: true})
	doc := openapi.Document()
	described := openapitest.New(doc)
	served := map[string]bool{}
	for _, r := range s.APIRoutes() {
		if !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, r.Method) {
			continue // Echo's own catch-alls for groups' not-found answers
		}
		op := r.Method + " " + openapitest.Shape(r.Path)
		served[op] = true
		path := described.DocumentPath(r.Path)
		if path == "" || doc.Paths.Value(path).GetOperation(r.Method) == nil {
			t.Errorf("%s %s is served but not in openapi.yaml", r.Method, r.Path)
		}
	}
	for _, path := range doc.Paths.Keys() {
		for method := range doc.Paths.Value(path).Operations() {
			if !served[method+" "+openapitest.Shape(path)] {
				t.Errorf("%s %s is in openapi.yaml but not served", method, path)
			}
		}
	}
}

// TestAPIDescriptionIsServed: /openapi.json, /openapi.yaml and the
// reference page /docs, read in Chromium, with nothing from another site.
func TestAPIDescriptionIsServed(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	r := ok(t, "the document", s.Do("GET", "/openapi.json", "", nil), 200)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	r.JSON(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/v1/complaints"]["post"] == nil {
		t.Fatalf("/openapi.json is OpenAPI %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	yaml := ok(t, "the document as YAML", s.Do("GET", "/openapi.yaml", "", nil), 200)
	if !strings.HasPrefix(string(yaml.Body), "openapi: 3.1") {
		t.Errorf("/openapi.yaml starts %q", yaml.Body[:min(40, len(yaml.Body))])
	}
	page := ok(t, "the reference page", s.Do("GET", "/docs", "", nil), 200)
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("/docs may load from elsewhere: CSP %q", csp)
	}
	for _, outside := range []string{`src="http`, `href="http`, "<script"} {
		if strings.Contains(string(page.Body), outside) {
			t.Errorf("/docs holds %s", outside)
		}
	}

	b := redresstest.StartBrowserSized(t, "en", 1280, 900)
	b.Open(s.BaseURL + "/docs")
	b.Click("nav a[href='#fileComplaint']")
	filing := b.Text("#fileComplaint")
	for _, want := range []string{"POST", "/v1/complaints", "Roles: intake", "Request body", "201"} {
		if !strings.Contains(filing, want) {
			t.Errorf("the reference's filing of a complaint lacks %q:\n%s", want, filing)
		}
	}
	if n := b.Count("section.op"); n < len(doc.Paths) {
		t.Errorf("the reference shows %d sections for %d paths", n, len(doc.Paths))
	}
	zh := redresstest.StartBrowser(t, "zh-CN")
	zh.Open(s.BaseURL + "/docs")
	if h := zh.Text("h1"); !strings.Contains(h, "API 参考") {
		t.Errorf("the reference's title in Chinese = %q", h)
	}
	if shots := os.Getenv("REDRESS_SCREENSHOTS"); shots != "" {
		b.Screenshot(filepath.Join(shots, "api-reference.png"))
		zh.Click("nav a[href='#getComplaint']")
		zh.Screenshot(filepath.Join(shots, "api-reference-narrow-zh.png"))
	}
	var again map[string]any
	if err := json.Unmarshal(openapi.JSON(), &again); err != nil || len(r.Body) != len(openapi.JSON()) {
		t.Errorf("the served document is not the built-in one (%v)", err)
	}
}

// TestRoutesTheOtherTestsLeaveOut calls, through the description's check,
// the operations no other in-process test reaches, each as a user would and
// checking what the user would see: with it every operation of the
// document is held to a real answer at least once.
func TestRoutesTheOtherTestsLeaveOut(t *testing.T) {
	s := consoleStack(t)
	c := file(t, s, newComplaint("crm-described"))
	ok(t, "liveness", s.Do("GET", "/healthz", "", nil), 200)

	payloads := map[string]any{"payloads": []map[string]any{{"metadata": map[string]string{"encoding": "YmluYXJ5L3BsYWlu"}, "data": "aGk="}}}
	sealed := ok(t, "encode for the CLI", s.Do("POST", "/codec/encode", "dev-supervisor", payloads), 200)
	if strings.Contains(string(sealed.Body), `"aGk="`) {
		t.Errorf("the codec's encode left the payload in clear: %s", sealed.Body)
	}
	ok(t, "the Web UI's preflight for encode", s.Do("OPTIONS", "/codec/encode", "", nil, "Origin", redresstest.CodecOrigin), 204)

	photo := redresstest.PNG(1024, 7)
	var kept struct{ ID string }
	ok(t, "the customer's photo", upload(s, c.ID, "dev-intake", "photo.png", "image/png", photo), 201).JSON(t, &kept)

	ana := s.SignIn("ana@example.com", staffPassword)
	if p := ana.Get("/console"); p.Status != 200 && p.Status != 303 {
		t.Errorf("GET /console = %d", p.Status)
	}
	if p := ana.Get("/console/attachments/" + kept.ID); p.Status != 200 || p.Body != string(photo) {
		t.Errorf("the console's download = %d with %d bytes; want the %d uploaded", p.Status, len(p.Body), len(photo))
	}
	ana.Get("/console/complaints/" + c.ID)
	if p := ana.Post("/console/complaints/"+c.ID+"/escalate", url.Values{"reason": {"the customer called twice"}}); p.Status != 303 {
		t.Errorf("escalate from the console = %d", p.Status)
	}
	if got := s.Complaint(c.ID); got.EscalationLevel != 1 {
		t.Errorf("after the console's escalation the level is %d", got.EscalationLevel)
	}
	if p := ana.Post("/console/complaints/"+c.ID+"/followup", url.Values{"outcome": {"satisfied"}}); p.Status != 409 {
		t.Errorf("a follow-up on a complaint that has none = %d; want 409", p.Status)
	}
	if p := ana.Post("/console/logout", url.Values{}); p.Status != 303 {
		t.Errorf("sign out = %d", p.Status)
	}
	if p := ana.Get("/console/queues/mine"); p.Status != 303 || !strings.HasPrefix(p.Location, "/console/login") {
		t.Errorf("after signing out the queue = %d to %q", p.Status, p.Location)
	}

	customer := s.Anonymous()
	if p := customer.Post("/track/"+c.TrackingToken+"/reopen", url.Values{"reason": {"it is still broken"}}); p.Status != 409 {
		t.Errorf("reopening an open complaint from its page = %d; want 409", p.Status)
	}
	if got := s.Complaint(c.ID); got.Status == redress.StatusReopened || hasLine(got, redress.KindReopened) {
		t.Errorf("the refused reopen changed the complaint: %s", describeLines(got))
	}
}

func hasLine(c *redress.Complaint, kind string) bool {
	for _, line := range c.Timeline {
		if line.Kind == kind {
			return true
		}
	}
	return false
}

// TestRolesAreTheDescribed holds each staff operation's x-roles to the
// server: a key of every role not listed is refused with 403, a key of
// every role listed gets past the role check (whatever the made-up ids
// then answer), and no key at all is 401.
func TestRolesAreTheDescribed(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	keys := map[string]string{"intake": "dev-intake", "agent": "dev-agent", "supervisor": "dev-supervisor", "admin": "dev-admin"}
	doc := openapi.Document()
	placeholder := regexp.MustCompile(`\{[^}]*\}`)
	checked := 0
	for _, path := range doc.Paths.Keys() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, op := range doc.Paths.Value(path).Operations() {
			roles := openapi.Roles(op)
			if len(roles) == 0 || slices.Contains(roles, "customer") {
				continue
			}
			checked++
			target := placeholder.ReplaceAllString(path, "00000000-0000-0000-0000-000000000000")
			if r := s.Do(method, target, "", nil); r.Status != http.StatusUnauthorized {
				t.Errorf("%s %s without a key = %d; want 401", method, path, r.Status)
			}
			for role, key := range keys {
				r := s.Do(method, target, key, nil)
				switch allowed := slices.Contains(roles, role); {
				case !allowed && r.Status != http.StatusForbidden:
					t.Errorf("%s %s as %s = %d; the document does not allow the role, so want 403", method, path, role, r.Status)
				case allowed && (r.Status == http.StatusForbidden || r.Status == http.StatusUnauthorized):
					t.Errorf("%s %s as %s = %d; the document allows the role: %s", method, path, role, r.Status, r.Body)
				}
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d staff operations checked", checked)
	}
}
