package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// What a person with access to Temporal but not to the keys sees of a
// complaint: ciphertext. The codec endpoint shows it in clear to the allowed.
func TestPayloadsAreEncryptedAndDecodedForTheAllowed(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	c := file(t, s, newComplaint("crm-codec"))
	const secret = "Call me on 138-0000-1111"
	ok(t, "update", s.Do("POST", "/v1/complaints/"+c.ID+"/updates", "dev-agent", map[string]any{"message": secret}), 200)

	raw, err := client.Dial(client.Options{HostPort: s.Config.TemporalAddress, Namespace: "default"}) // no keys
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	it := raw.GetWorkflowHistory(context.Background(), redress.ComplaintWorkflowID(c.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var updateInput *commonpb.Payload
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := e.Marshal()
		if bytes.Contains(b, []byte("138-0000-1111")) {
			t.Errorf("event %d (%s) holds the customer's message in clear", e.EventId, e.EventType)
		}
		if a := e.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			updateInput = a.AcceptedRequest.Input.Args.Payloads[0]
		}
	}
	if updateInput == nil || string(updateInput.Metadata["encoding"]) != "binary/encrypted" {
		t.Fatalf("the update's input = %v; want an encrypted payload", updateInput)
	}

	body, err := temporalproto.CustomJSONMarshalOptions{}.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{updateInput}})
	if err != nil {
		t.Fatal(err)
	}
	decode := func(key string, headers ...string) *redresstest.Response {
		return s.Do("POST", "/codec/decode", key, body, headers...)
	}
	r := ok(t, "decode as a supervisor", decode("dev-supervisor"), 200)
	var decoded commonpb.Payloads
	unmarshal := temporalproto.CustomJSONUnmarshalOptions{}
	if err := unmarshal.Unmarshal(r.Body, &decoded); err != nil {
		t.Fatal(err)
	}
	var input struct{ Message string }
	if err := json.Unmarshal(decoded.Payloads[0].Data, &input); err != nil || input.Message != secret {
		t.Errorf("decoded = %s, %v", decoded.Payloads[0].Data, err)
	}
	ok(t, "decode as an agent", decode("dev-agent"), http.StatusForbidden)
	ok(t, "decode anonymously", decode(""), http.StatusUnauthorized)
	// Origin is no credential: any client can write it.
	r = ok(t, "decode with the Web UI's origin but no credential", decode("", "Origin", redresstest.CodecOrigin), http.StatusUnauthorized)
	if r.Header.Get("Access-Control-Allow-Origin") != redresstest.CodecOrigin || r.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("CORS headers for the Web UI = %q %q", r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Access-Control-Allow-Credentials"))
	}
	ok(t, "decode from another site", decode("", "Origin", "http://evil.test"), http.StatusUnauthorized)
	ok(t, "preflight from the Web UI", s.Do("OPTIONS", "/codec/decode", "", nil, "Origin", redresstest.CodecOrigin), http.StatusNoContent)
	if r := s.Do("OPTIONS", "/codec/decode", "", nil, "Origin", "http://evil.test"); r.Status != http.StatusForbidden ||
		r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another site = %d %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
	}

	// The Web UI's way: a supervisor signs in once, and the browser sends
	// the session with the UI's requests. The sign-in page's forms carry a
	// CSRF token, and the page sends the headers of every customer page.
	page := openCodecSignIn(t, s)
	for header, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if got := page.headers.Get(header); got != want {
			t.Errorf("the sign-in page's %s is %q; want %q", header, got, want)
		}
	}
	if csp := page.headers.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("the sign-in page's CSP is %q", csp)
	}
	if status, _ := page.post("/codec/sign-in", url.Values{"key": {"dev-supervisor"}}, false); status != http.StatusForbidden {
		t.Errorf("a sign-in without the form's token: %d; want 403", status)
	}
	if status, _ := page.post("/codec/sign-in", url.Values{"key": {"dev-agent"}}, true); status != http.StatusForbidden {
		t.Errorf("sign in with an agent's key: %d", status)
	}
	if status, _ := page.post("/codec/sign-in", url.Values{"key": {"guess"}}, true); status != http.StatusUnauthorized {
		t.Errorf("sign in with a wrong key: %d", status)
	}
	status, cookie := page.post("/codec/sign-in", url.Values{"key": {"dev-supervisor"}}, true)
	if status != http.StatusOK {
		t.Fatalf("sign in as a supervisor: %d", status)
	}
	for _, attr := range []string{"redress_codec=", "Path=/codec", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("session cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, "dev-supervisor") {
		t.Errorf("the session cookie holds the key: %q", cookie)
	}
	session := strings.SplitN(cookie, ";", 2)[0]
	r = ok(t, "decode with the session from the Web UI", decode("", "Origin", redresstest.CodecOrigin, "Cookie", session), 200)
	if err := unmarshal.Unmarshal(r.Body, &decoded); err != nil || !strings.Contains(string(decoded.Payloads[0].Data), secret) {
		t.Errorf("decoded with the session: %s %v", r.Body, err)
	}
	name, value, _ := strings.Cut(session, "=")
	ok(t, "decode with a forged session", decode("", "Cookie", name+"="+strings.Replace(value, "A", "B", 1)+"x"), http.StatusUnauthorized)
	// Signing out ends the session everywhere: a copy of the cookie taken
	// before decodes nothing afterwards.
	if status, out := page.post("/codec/sign-out", nil, true); status != http.StatusOK || !strings.Contains(out, "Max-Age=0") {
		t.Errorf("sign out: %d, cookie %q", status, out)
	}
	ok(t, "decode with a copy of the signed-out session", decode("", "Cookie", session), http.StatusUnauthorized)
	// An admin ends every session at once.
	_, cookie = page.post("/codec/sign-in", url.Values{"key": {"dev-supervisor"}}, true)
	session = strings.SplitN(cookie, ";", 2)[0]
	ok(t, "decode with a new session", decode("", "Cookie", session), http.StatusOK)
	ok(t, "end every session as a supervisor", s.Do("DELETE", "/v1/codec/sessions", "dev-supervisor", nil), http.StatusForbidden)
	ok(t, "end every session", s.Do("DELETE", "/v1/codec/sessions", "dev-admin", nil), http.StatusOK)
	ok(t, "decode after the admin ended them", decode("", "Cookie", session), http.StatusUnauthorized)
	if r := decode("dev-supervisor"); !strings.Contains(r.Header.Get("Content-Type"), "json") {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
}

// codecSignIn is a browser at the codec sign-in page: its cookies and the
// forms' token.
type codecSignIn struct {
	t       *testing.T
	client  *http.Client
	base    string
	csrf    string
	headers http.Header
}

func openCodecSignIn(t *testing.T, s *redresstest.Stack) *codecSignIn {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &codecSignIn{t: t, client: &http.Client{Jar: jar}, base: s.BaseURL}
	resp, err := p.client.Get(s.BaseURL + "/codec/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p.headers = resp.Header
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("the sign-in page has no CSRF token:\n%s", body)
	}
	p.csrf = string(m[1])
	return p
}

// post sends one of the page's forms, with its token or without; it
// answers the status and the session cookie the answer sets, if any.
func (p *codecSignIn) post(path string, values url.Values, withToken bool) (int, string) {
	p.t.Helper()
	form := url.Values{}
	for k, v := range values {
		form[k] = v
	}
	if withToken {
		form.Set("_csrf", p.csrf)
	}
	resp, err := p.client.PostForm(p.base+path, form)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "redress_codec=") {
			return resp.StatusCode, c
		}
	}
	return resp.StatusCode, ""
}

// In the Web UI a complaint's payloads stay encrypted, with a link to sign
// in, until a supervisor signs in at /codec/sign-in; then the same page
// shows them decoded.
func TestWebUIDecodesForASignedInSupervisor(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{WebUI: true})
	c := file(t, s, newComplaint("crm-web-ui"))
	workflowPage := s.UIURL + "/namespaces/default/workflows/" + redress.ComplaintWorkflowID(c.ID)

	b := redresstest.StartBrowser(t, "en")
	b.Open(workflowPage)
	b.WaitForText("body", "supervisors and admins sign in to see it")
	if strings.Contains(b.Text("body"), `"complaint_id"`) {
		t.Error("the Web UI shows the workflow's input decoded to someone not signed in")
	}

	b.Open(s.Config.PublicURL + "/codec/sign-in")
	b.Type("#key", "dev-agent")
	b.Click("#sign-in")
	b.WaitForText("#message", "may not read customers' data")
	b.Type("#key", "dev-supervisor")
	b.Click("#sign-in")
	b.WaitForText("#message", "Signed in as dev-supervisor")

	b.Open(workflowPage)
	b.WaitForText("body", `"complaint_id"`)
	if strings.Contains(b.Text("body"), "sign in to see it") {
		t.Error("the Web UI still says the data is encrypted after the supervisor signed in")
	}
	if dir := os.Getenv("REDRESS_SCREENSHOTS"); dir != "" {
		b.Screenshot(filepath.Join(dir, "web-ui-decoded.png"))
	}
}
