package bench

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// seededDatabase is a fresh database holding n seeded complaints, and a
// plain connection to it for the seeding's own statements.
func seededDatabase(b *testing.B, n int) (*postgres.DB, *pgx.Conn) {
	ctx := context.Background()
	url := redresstest.NewDatabaseURL(b)
	db := redresstest.OpenDB(b, url)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(context.Background()) })
	seedComplaints(b, conn, n)
	return db, conn
}

// sealSeeded runs the sealing job over a seeded database, as the first
// start of a version with encryption at rest does over older rows, and
// reports its time.
func sealSeeded(b *testing.B, db *postgres.DB) {
	start := time.Now()
	report, err := db.SealOlderRows(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	b.Logf("sealed %s in %s", report, took.Round(time.Second))
	b.ReportMetric(took.Seconds(), "sealing-s")
	b.ReportMetric(float64(report.Complaints)/took.Seconds(), "sealed-complaints/s")
}

// benchAgents is how many agents the seeded complaints are assigned among.
const benchAgents = 50

// seedComplaints fills the database with a year of n complaints from n/10
// customers, of which about one in ten is still open: deadlines spread over
// the next days (some already past), about one open complaint in eight
// waiting on the customer with its resolution clock paused, most assigned
// among the agents.
func seedComplaints(b *testing.B, conn *pgx.Conn, n int) {
	ctx := context.Background()
	complaints, customers := n, max(1, n/10)
	start := time.Now()
	for _, sql := range []string{
		// A bulk load, as a restore would be: the row triggers stay off
		// (so the complaints carry their customer's tier themselves), and
		// the rebuild derives the rest.
		`SET session_replication_role = replica`,
		`SELECT setseed(0.42)`,
		`INSERT INTO customers (id, external_id, name, email, tier)
		SELECT md5('customer' || i)::uuid, 'bench-' || i, 'Customer ' || i, 'customer' || i || '@example.com',
			(ARRAY['standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'silver', 'silver', 'gold', 'diamond'])[1 + i % 10]
		FROM generate_series(1, ` + strconv.Itoa(customers) + `) i`,
		// The OFFSET 0 fences keep each row's random draws to one per
		// column, however often a column is used.
		`INSERT INTO complaints (id, customer_id, status, priority, category, severity, channel, subject, description,
			order_ref, escalation_level, sla_breached, assignee, created_at, ack_due_at, resolve_due_at,
			resolve_paused_at, resolve_left_seconds, tracking_token_hash, workflow_started, customer_tier,
			previous_customer_at)
		SELECT id, md5('customer' || customer)::uuid, status,
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
			CASE WHEN NOT open OR agent < 0.2 THEN '' ELSE 'agent' || (1 + i % ` + strconv.Itoa(benchAgents) + `) || '@example.com' END,
			created,
			CASE WHEN status IN ('received', 'reopened') THEN now() + (due * 54 - 6) * interval '1 hour' END,
			CASE WHEN open AND status <> 'waiting_on_customer' THEN now() + (due * 240 - 11) * interval '1 hour' END,
			CASE WHEN status = 'waiting_on_customer' THEN now() - age * interval '3 days' END,
			CASE WHEN status = 'waiting_on_customer' THEN floor(due * 200000)::bigint ELSE 0 END,
			decode(md5('complaint' || i), 'hex'), true,
			(ARRAY['standard', 'standard', 'standard', 'standard', 'standard', 'standard', 'silver', 'silver', 'gold', 'diamond'])[1 + customer % 10],
			-- what the insert trigger fills in, as a restore brings it along
			lag(created) OVER (PARTITION BY customer ORDER BY created, id)
		FROM (SELECT *, now() - age * CASE WHEN open THEN interval '10 days' ELSE interval '365 days' END AS created, CASE
				WHEN NOT open THEN (CASE WHEN i % 5 = 0 THEN 'resolved' ELSE 'closed' END)
				WHEN state < 0.3 THEN 'received' WHEN state < 0.45 THEN 'acknowledged' WHEN state < 0.8 THEN 'in_progress'
				WHEN state < 0.92 THEN 'waiting_on_customer' ELSE 'reopened' END AS status
			FROM (SELECT i, gen_random_uuid() AS id, 1 + floor(random() * ` + strconv.Itoa(customers) + `)::int AS customer, random() AS priority, random() AS level, random() AS agent,
					random() AS age, random() AS due, random() < 0.1 AS open, random() AS state
				FROM generate_series(1, ` + strconv.Itoa(complaints) + `) i OFFSET 0) drawn OFFSET 0) c`,
		`RESET session_replication_role`,
		`ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("load: %v\n%s", err, sql)
		}
	}
	b.Logf("loaded %d complaints of %d customers in %s", complaints, customers, time.Since(start).Round(time.Second))
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

// seedOutcomes gives the seeded complaints what their lives would have
// left: acknowledgement and resolution times, a root cause, surveys and
// win-backs for the finished ones, and the timeline lines analytics reads
// (received, acknowledged, breaches, resolved, reopened): about three lines
// a complaint.
func seedOutcomes(b *testing.B, conn *pgx.Conn) {
	ctx := context.Background()
	start := time.Now()
	for _, sql := range []string{
		`SET session_replication_role = replica`,
		`SELECT setseed(0.17)`,
		`UPDATE complaints SET
			acknowledged_at = CASE WHEN status <> 'received' THEN created_at + random() * interval '30 hours' END,
			resolved_at = CASE WHEN status IN ('resolved', 'closed') THEN created_at + interval '30 hours' + random() * interval '100 hours' END,
			closed_at = CASE WHEN status = 'closed' THEN created_at + interval '300 hours' END,
			resolution = CASE WHEN status IN ('resolved', 'closed') THEN jsonb_build_object('resolution_type', 'refund', 'summary', 'Refunded',
				'root_cause', (ARRAY['product_defect', 'process_gap', 'staff_behavior', 'logistics', 'billing_error',
					'customer_misunderstanding', 'third_party', 'other'])[1 + floor(random() * 8)::int]) END,
			survey = CASE WHEN status <> 'closed' THEN '{"status": "pending"}'::jsonb
				WHEN random() < 0.6 THEN jsonb_build_object('status', 'answered', 'score', 1 + floor(random() * 5)::int)
				WHEN random() < 0.75 THEN '{"status": "expired"}'::jsonb ELSE '{"status": "sent"}'::jsonb END,
			winback = CASE WHEN status = 'closed' AND random() < 0.05
				THEN jsonb_build_object('status', 'finished', 'outcome', CASE WHEN random() < 0.4 THEN 'won_back' ELSE 'lost' END)
				ELSE '{}'::jsonb END`,
		`INSERT INTO timeline (complaint_id, seq, at, actor, kind, public, detail, made_by, breach)
		SELECT id, 1, created_at, 'web', 'received', true, 'Complaint received', 'key:bench', '' FROM complaints
		UNION ALL SELECT id, 2, acknowledged_at, 'agent', 'acknowledged', true, 'Acknowledged', 'key:bench', '' FROM complaints WHERE acknowledged_at IS NOT NULL
		UNION ALL SELECT id, 3, created_at + interval '24 hours', 'system', 'sla_breached', false, 'SLA breached: ' || breach, 'system', breach
			FROM (SELECT *, CASE WHEN acknowledged_at IS NULL OR acknowledged_at > created_at + interval '24 hours'
				THEN 'acknowledgement overdue' ELSE 'resolution overdue' END AS breach FROM complaints WHERE sla_breached) c
		UNION ALL SELECT id, 4, resolved_at, 'agent', 'resolved', true, 'Resolved', 'key:bench', '' FROM complaints WHERE resolved_at IS NOT NULL
		UNION ALL SELECT id, 5, resolved_at + interval '1 hour', 'customer', 'reopened', true, 'Reopened', 'customer-link', ''
			FROM complaints WHERE resolved_at IS NOT NULL AND hashtext(id::text) % 20 = 0`,
		// The outcomes the projection would have kept from those lines.
		`UPDATE complaints SET first_resolved_at = resolved_at,
			ack_breached = sla_breached AND (acknowledged_at IS NULL OR acknowledged_at > created_at + interval '24 hours'),
			resolve_breached = sla_breached AND coalesce(acknowledged_at <= created_at + interval '24 hours', false),
			reopened = resolved_at IS NOT NULL AND hashtext(id::text) % 20 = 0`,
		`RESET session_replication_role`,
		`ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("seed outcomes: %v\n%s", err, sql)
		}
	}
	var lines int
	_ = conn.QueryRow(ctx, `SELECT count(*) FROM timeline`).Scan(&lines)
	b.Logf("gave the complaints their outcomes and %d timeline lines in %s", lines, time.Since(start).Round(time.Second))
}
