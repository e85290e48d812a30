package redresstest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Browser is a headless Chromium driven through chromedriver's W3C
// WebDriver protocol: the pages are tested as a person uses them.
type Browser struct {
	t    testing.TB
	base string // chromedriver's session URL
}

const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// StartBrowser starts chromedriver and a headless Chromium whose preferred
// language is lang ("en", "zh-CN"), with a phone's window. Debian's
// chromium and chromium-driver must be installed (make test installs them).
func StartBrowser(t testing.TB, lang string) *Browser {
	t.Helper()
	return StartBrowserSized(t, lang, 420, 900)
}

// StartBrowserSized is StartBrowser with a window of the given size: 1280
// wide for a desktop, 820 for a tablet.
func StartBrowserSized(t testing.TB, lang string, width, height int) *Browser {
	t.Helper()
	driverPath, err := exec.LookPath("chromedriver")
	if err != nil {
		t.Fatal("chromedriver is not installed: run ./scripts/ensure-chromium.sh (Debian: chromium chromium-driver)")
	}
	port := freePortBlock(t)[len("127.0.0.1:"):]
	driver := exec.Command(driverPath, "--port="+port)
	if err := driver.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { driver.Process.Kill(); driver.Wait() })
	root := "http://127.0.0.1:" + port
	deadline := time.Now().Add(15 * time.Second)
	for {
		if resp, err := http.Get(root + "/status"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("chromedriver did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
	profile := t.TempDir()
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": chromiumBinary(),
			"args": []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--disable-quic", fmt.Sprintf("--window-size=%d,%d", width, height), "--user-data-dir=" + profile},
			"prefs": map[string]any{"intl.accept_languages": lang},
		},
	}}}
	b := &Browser{t: t}
	var session struct {
		SessionID string `json:"sessionId"`
	}
	b.call("POST", root+"/session", caps, &session)
	b.base = root + "/session/" + session.SessionID
	t.Cleanup(func() { b.call("DELETE", b.base, nil, nil) })
	return b
}

func chromiumBinary() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "chromium"
}

func (b *Browser) call(method, url string, body, out any) {
	b.t.Helper()
	if err := b.try(method, url, body, out); err != nil {
		b.t.Fatal(err)
	}
}

// try is one WebDriver command; its error is for callers that wait out a
// page change (a missing or stale element).
func (b *Browser) try(method, url string, body, out any) error {
	if body == nil {
		body = map[string]any{}
	}
	encoded, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(encoded))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	var envelope struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&envelope); err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webdriver %s %s: %d %.300s", method, url, resp.StatusCode, envelope.Value)
	}
	if out != nil {
		if err := json.Unmarshal(envelope.Value, out); err != nil {
			return fmt.Errorf("webdriver answer: %w: %s", err, envelope.Value)
		}
	}
	return nil
}

// Open loads a page.
func (b *Browser) Open(url string) {
	b.t.Helper()
	b.call("POST", b.base+"/url", map[string]string{"url": url}, nil)
}

// find waits up to five seconds for an element, then fails the test with
// what the page shows instead.
func (b *Browser) find(css string) string {
	b.t.Helper()
	var id string
	b.waitFor(5*time.Second, "an element "+css, func() bool {
		var found []map[string]string
		if b.try("POST", b.base+"/elements", map[string]string{"using": "css selector", "value": css}, &found) != nil || len(found) == 0 {
			return false
		}
		id = found[0][elementKey]
		return true
	})
	return id
}

// waitFor polls cond until it holds, through page changes, or fails the
// test with the page's source.
func (b *Browser) waitFor(timeout time.Duration, what string, cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			var source string
			b.try("GET", b.base+"/source", nil, &source)
			b.t.Fatalf("waited %s for %s; the page is:\n%s", timeout, what, source)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Click clicks the element the CSS selector finds.
func (b *Browser) Click(css string) {
	b.t.Helper()
	b.call("POST", b.base+"/element/"+b.find(css)+"/click", nil, nil)
}

// Type types text into the element the CSS selector finds.
func (b *Browser) Type(css, text string) {
	b.t.Helper()
	b.call("POST", b.base+"/element/"+b.find(css)+"/value", map[string]string{"text": text}, nil)
}

// Text is the visible text of the element the CSS selector finds.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	var s string
	b.call("GET", b.base+"/element/"+b.find(css)+"/text", nil, &s)
	return s
}

// Title is the page's title.
func (b *Browser) Title() string {
	var s string
	b.call("GET", b.base+"/title", nil, &s)
	return s
}

// Screenshot saves the viewport as a PNG, for a person to look at.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	var encoded string
	b.call("GET", b.base+"/screenshot", nil, &encoded)
	png, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// WaitForText waits up to ten seconds for the element's text to contain
// want: after a form is sent, the next page takes a moment to arrive.
func (b *Browser) WaitForText(css, want string) {
	b.t.Helper()
	b.waitFor(10*time.Second, fmt.Sprintf("%q to show %q", css, want), func() bool {
		var found []map[string]string
		if b.try("POST", b.base+"/elements", map[string]string{"using": "css selector", "value": css}, &found) != nil || len(found) == 0 {
			return false
		}
		var text string
		return b.try("GET", b.base+"/element/"+found[0][elementKey]+"/text", nil, &text) == nil && strings.Contains(text, want)
	})
}

// Keys presses keys on whatever has the focus, as a person at the keyboard
// does ("\ue007" is Enter).
func (b *Browser) Keys(keys string) {
	b.t.Helper()
	var actions []map[string]string
	for _, k := range keys {
		actions = append(actions, map[string]string{"type": "keyDown", "value": string(k)},
			map[string]string{"type": "keyUp", "value": string(k)})
	}
	b.call("POST", b.base+"/actions", map[string]any{"actions": []map[string]any{
		{"type": "key", "id": "keyboard", "actions": actions}}}, nil)
}

// Script runs JavaScript in the page and returns its result: how a test
// leaves a mark that a reload would wipe.
func (b *Browser) Script(js string) any {
	b.t.Helper()
	var out any
	b.call("POST", b.base+"/execute/sync", map[string]any{"script": js, "args": []any{}}, &out)
	return out
}

// URL is the address of the page shown.
func (b *Browser) URL() string {
	var s string
	b.call("GET", b.base+"/url", nil, &s)
	return s
}

// Attribute is an attribute of the element the CSS selector finds.
func (b *Browser) Attribute(css, name string) string {
	b.t.Helper()
	var s string
	b.call("GET", b.base+"/element/"+b.find(css)+"/attribute/"+name, nil, &s)
	return s
}

// WaitFor waits up to ten seconds for an element the CSS selector finds.
func (b *Browser) WaitFor(css string) {
	b.t.Helper()
	b.waitFor(10*time.Second, "an element "+css, func() bool {
		var found []map[string]string
		return b.try("POST", b.base+"/elements", map[string]string{"using": "css selector", "value": css}, &found) == nil && len(found) > 0
	})
}

// Count is how many elements the CSS selector finds now.
func (b *Browser) Count(css string) int {
	b.t.Helper()
	var found []map[string]string
	b.call("POST", b.base+"/elements", map[string]string{"using": "css selector", "value": css}, &found)
	return len(found)
}
