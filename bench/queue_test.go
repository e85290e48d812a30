package bench

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/redress-dev/redress/redresstest"
)

// BenchmarkQueuePage times the console's queue page, through HTTP with a
// signed-in agent, over a million complaints, sealed by the sealing job as
// an upgrade would (its time is reported too): each queue's first page, a
// page deep into the open queue, and searches through the keyed grams,
// 200 requests each. Run with `make bench-console`.
func BenchmarkQueuePage(b *testing.B) {
	ctx := context.Background()
	db, conn := seededDatabase(b, 1_000_000)
	// Search for what an agent would paste: an open complaint's order
	// reference, its customer's e-mail (read while the seed is in clear).
	var orderRef, email string
	if err := conn.QueryRow(ctx, `SELECT c.order_ref, cu.email FROM complaints c JOIN customers cu ON cu.id = c.customer_id
		WHERE c.status = 'in_progress' ORDER BY c.order_ref LIMIT 1 OFFSET 4242`).Scan(&orderRef, &email); err != nil {
		b.Fatal(err)
	}
	sealSeeded(b, db)

	console, session := redresstest.Console(b, db, "agent7@example.com", "agent")
	server := httptest.NewServer(console)
	defer server.Close()
	page := func(path string) (string, error) {
		req, _ := http.NewRequest(http.MethodGet, server.URL+path, nil)
		req.AddCookie(session)
		resp, err := server.Client().Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return string(body), err
	}

	paths := [][2]string{}
	for _, q := range []string{"mine", "unassigned", "breaching", "escalated", "waiting", "open"} {
		paths = append(paths, [2]string{q, "/console/queues/" + q})
	}
	deep := "/console/queues/open"
	for range 20 {
		body, err := page(deep)
		if err != nil {
			b.Fatal(err)
		}
		m := nextLink.FindStringSubmatch(body)
		if m == nil {
			b.Fatal("the open queue has fewer than 21 pages")
		}
		deep = html.UnescapeString(m[1])
	}
	paths = append(paths, [2]string{"open-page-21", deep},
		[2]string{"search-order-ref", "/console/queues/open?q=" + url.QueryEscape(orderRef)},
		[2]string{"search-customer", "/console/queues/open?q=" + url.QueryEscape(email)},
		[2]string{"search-common-word", "/console/queues/open?q=" + url.QueryEscape("refund")},
		[2]string{"search-chinese", "/console/queues/open?q=" + url.QueryEscape("屏幕")},
		[2]string{"filtered-P1-gold", "/console/queues/open?priority=P1&tier=gold"})
	for _, p := range paths {
		if body, err := page(p[1]); err != nil || !strings.Contains(body, "<tr data-href=") {
			b.Fatalf("%s shows no complaint (%v)", p[1], err)
		}
		timeCalls(b, p[0], 200, func() error {
			_, err := page(p[1])
			return err
		})
	}
}

var nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
