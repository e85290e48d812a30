package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

// A tracking link is a credential: it stops opening its complaint once the
// complaint has been closed longer than links.valid_after_close (410, in
// JSON, on the page and for its files), and the customer's pages are never
// framed, never leak their address in a Referer, and run nothing but their
// own style.
func TestTrackingLinksExpireAndPagesAreGuarded(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: "links: {valid_after_close: 2s}\n"})
	c := file(t, s, newComplaint("crm-expiring-link"))
	page := s.Do("GET", "/track/"+c.TrackingToken, "", nil)
	for header, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
		if got := page.Header.Get(header); got != want {
			t.Errorf("the tracking page's %s is %q; want %q", header, got, want)
		}
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("the tracking page's CSP is %q", csp)
	}

	ok(t, "resolve", s.Do("POST", "/v1/complaints/"+c.ID+"/resolve", "dev-agent",
		map[string]any{"resolution_type": "refund", "summary": "Refunded", "root_cause": "logistics"}), 200)
	ok(t, "confirm", s.Do("POST", "/v1/track/"+c.TrackingToken+"/confirm", "", nil), 200)
	ok(t, "the link just after close", s.Do("GET", "/v1/track/"+c.TrackingToken, "", nil), http.StatusOK)
	time.Sleep(2500 * time.Millisecond)
	ok(t, "the link after its time", s.Do("GET", "/v1/track/"+c.TrackingToken, "", nil), http.StatusGone)
	if r := s.Do("GET", "/track/"+c.TrackingToken, "", nil); r.Status != http.StatusGone {
		t.Errorf("the tracking page after its time: %d; want 410", r.Status)
	}
	ok(t, "a reply after its time", s.Do("POST", "/v1/track/"+c.TrackingToken+"/reply", "", map[string]string{"message": "hello?"}), http.StatusGone)
}
