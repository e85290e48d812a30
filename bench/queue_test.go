package bench

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress/redresstest"
)

const (
	queueComplaints = 1_000_000
	queueCustomers  = 100_000
	queueAgents     = 50
)

// loadQueueData fills the database with a year of complaints of which about
// one in ten is still open: deadlines spread over the next days (some
// already past), about one open complaint in eight waiting on the customer
// with its resolution clock paused, most assigned among the agents.
func loadQueueData(b *testing.B, conn *pgx.Conn) {
	ctx := context.Background()
	start := time.Now()
	for _, sql := range []string{
		`SELECT setseed(0.42)`,
		`INSERT INTO customers (id, external_id, name, email, tier)
		SELECT md5('customer' || i)::uuid, 'bench-' || i, 'Customer ' || i, 'customer' || i || '@example.com',
			(ARRAY['standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'silver', 'silver', 'gold', 'diamond'])[1 + i % 10]
		FROM generate_series(1, ` + strconv.Itoa(queueCustomers) + `) i`,
		// The OFFSET 0 fences keep each row's random draws to one per
		// column, however often a column is used.
		`INSERT INTO complaints (id, customer_id, status, priority, category, severity, channel, subject, description,
			order_ref, escalation_level, sla_breached, assignee, created_at, ack_due_at, resolve_due_at,
			resolve_paused_at, resolve_left_seconds, tracking_token_hash, workflow_started)
		SELECT gen_random_uuid(), md5('customer' || (1 + floor(customer * ` + strconv.Itoa(queueCustomers) + `)::int))::uuid, status,
			(ARRAY['P1', 'P2', 'P2', 'P3', 'P3', 'P3', 'P3', 'P4', 'P4', 'P4'])[1 + floor(priority * 10)::int],
			(ARRAY['product_quality', 'safety', 'service', 'delivery', 'billing', 'privacy', 'other'])[1 + i % 7],
			(ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4],
			(ARRAY['web', 'email', 'phone', 'chat', 'social', 'store'])[1 + i % 6],
			(ARRAY['Parcel never arrived', 'Screen cracked on arrival', 'Charged twice for one order', '屏幕碎了',
				'Rude staff at the store', 'Refund still missing', '快递一直没有送到', 'Wrong size delivered'])[1 + i % 8] || ' #' || i,
			(ARRAY['The courier marked it delivered but nothing came.', 'I was billed twice this month.',
				'The box was fine but the item inside was broken.', '客服态度很差，问题一直没有解决。'])[1 + i % 4],
			'ORD-' || lpad(i::text, 8, '0'),
			CASE WHEN level < 0.8 THEN 0 WHEN level < 0.92 THEN 1 WHEN level < 0.98 THEN 2 ELSE 3 END,
			level >= 0.8,
			CASE WHEN NOT open OR agent < 0.2 THEN '' ELSE 'agent' || (1 + i % ` + strconv.Itoa(queueAgents) + `) || '@example.com' END,
			now() - age * CASE WHEN open THEN interval '10 days' ELSE interval '365 days' END,
			CASE WHEN status IN ('received', 'reopened') THEN now() + (due * 54 - 6) * interval '1 hour' END,
			CASE WHEN open AND status <> 'waiting_on_customer' THEN now() + (due * 240 - 11) * interval '1 hour' END,
			CASE WHEN status = 'waiting_on_customer' THEN now() - age * interval '3 days' END,
			CASE WHEN status = 'waiting_on_customer' THEN floor(due * 200000)::bigint ELSE 0 END,
			decode(md5('complaint' || i), 'hex'), true
		FROM (SELECT *, CASE
				WHEN NOT open THEN (CASE WHEN i % 5 = 0 THEN 'resolved' ELSE 'closed' END)
				WHEN state < 0.3 THEN 'received' WHEN state < 0.45 THEN 'acknowledged' WHEN state < 0.8 THEN 'in_progress'
				WHEN state < 0.92 THEN 'waiting_on_customer' ELSE 'reopened' END AS status
			FROM (SELECT i, random() AS customer, random() AS priority, random() AS level, random() AS agent,
					random() AS age, random() AS due, random() < 0.1 AS open, random() AS state
				FROM generate_series(1, ` + strconv.Itoa(queueComplaints) + `) i OFFSET 0) drawn OFFSET 0) c`,
		`ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("load: %v\n%s", err, sql)
		}
	}
	b.Logf("loaded %d complaints of %d customers in %s", queueComplaints, queueCustomers, time.Since(start).Round(time.Second))
	rows, _ := conn.Query(ctx, `SELECT status, count(*), count(resolve_paused_at), count(*) FILTER (WHERE next_due_at < now())
		FROM complaints GROUP BY status ORDER BY status`)
	for rows.Next() {
		var status string
		var n, paused, overdue int
		if rows.Scan(&status, &n, &paused, &overdue) == nil {
			b.Logf("%-20s %7d complaints, %6d paused, %6d overdue", status, n, paused, overdue)
		}
	}
	rows.Close()
}

// BenchmarkQueuePage times the console's queue page, through HTTP with a
// signed-in agent, over a million complaints: each queue's first page, a
// page deep into the open queue, and searches. Run with `make bench-console`.
func BenchmarkQueuePage(b *testing.B) {
	ctx := context.Background()
	dbURL := redresstest.NewDatabaseURL(b)
	db := redresstest.OpenDB(b, dbURL)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	loadQueueData(b, conn)

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
	// Search for what an agent would paste: an open complaint's order
	// reference, its customer's e-mail.
	var orderRef, email string
	if err := conn.QueryRow(ctx, `SELECT c.order_ref, cu.email FROM complaints c JOIN customers cu ON cu.id = c.customer_id
		WHERE c.status = 'in_progress' ORDER BY c.order_ref LIMIT 1 OFFSET 4242`).Scan(&orderRef, &email); err != nil {
		b.Fatal(err)
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
		b.Run(p[0], func(b *testing.B) {
			latencies := make([]time.Duration, b.N)
			b.ResetTimer()
			for i := range b.N {
				t := time.Now()
				if _, err := page(p[1]); err != nil {
					b.Fatal(err)
				}
				latencies[i] = time.Since(t)
			}
			b.StopTimer()
			slices.Sort(latencies)
			b.ReportMetric(float64(latencies[b.N/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(latencies[b.N*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

var nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
