package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// A rebuild after a bulk import refreshes the stale repeat facts in
// batches, saying how far it is, without a console notification per row;
// the complaints' own writers are heard as before.
func TestRebuildRefreshesStaleFactsQuietly(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	db := redresstest.OpenDB(t, url)
	ctx := context.Background()
	conn, listener := connect(t, url), connect(t, url)
	basis := postgres.BasisOf(redress.DefaultPolicy())
	if err := db.RebuildAnalytics(ctx, basis, true, nil); err != nil { // the rollups are ready, so the trigger tracks
		t.Fatal(err)
	}
	const complaints = 45_000 // over two of the rebuild's batches
	for _, sql := range []string{
		`INSERT INTO customers (id, name) SELECT md5(i::text)::uuid, 'c' FROM generate_series(1, 100) i`,
		`SET session_replication_role = replica`, // a bulk load: no facts filled in
		`INSERT INTO complaints (id, customer_id, status, priority, category, severity, channel, subject, description,
			order_ref, created_at, tracking_token_hash, customer_tier)
		SELECT gen_random_uuid(), md5((1 + i % 100)::text)::uuid, 'closed', 'P3', 'billing', 'low', 'web', 's', 'd',
			'ORD-' || (i % 700), now() - i * interval '10 minutes', decode(md5(i::text), 'hex'), 'standard'
		FROM generate_series(1, ` + fmt.Sprint(complaints) + `) i`,
		`RESET session_replication_role`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := listener.Exec(ctx, `LISTEN complaint_changed`); err != nil {
		t.Fatal(err)
	}

	var last postgres.RebuildProgress
	reports := 0
	if err := db.RebuildAnalytics(ctx, basis, true, func(p postgres.RebuildProgress) {
		if p.Days == 0 {
			reports++
		}
		last = p
	}); err != nil {
		t.Fatal(err)
	}
	if last.StaleFacts != complaints-100 || last.FactsDone != last.StaleFacts || reports != 3 {
		t.Errorf("the rebuild refreshed %d of %d stale facts in %d reports; want all %d (each customer's first has none), in 3",
			last.FactsDone, last.StaleFacts, reports, complaints-100)
	}
	var wrong int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT previous_customer_at, previous_order_at,
			lag(created_at) OVER (PARTITION BY customer_id ORDER BY created_at, id) AS by_customer,
			lag(created_at) OVER (PARTITION BY order_ref ORDER BY created_at, id) AS by_order FROM complaints) f
		WHERE (previous_customer_at, previous_order_at) IS DISTINCT FROM (by_customer, by_order)`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	var repeats int64
	if err := conn.QueryRow(ctx, `SELECT sum(repeat_customer) FROM analytics_daily WHERE dimension = ''`).Scan(&repeats); err != nil {
		t.Fatal(err)
	}
	if wrong != 0 || repeats != complaints-100 {
		t.Errorf("after the rebuild %d complaints have wrong repeat facts and the rollups count %d repeats; want 0 and %d",
			wrong, repeats, complaints-100)
	}
	if n, err := waitBriefly(ctx, listener); err == nil {
		t.Errorf("the rebuild notified the console: %+v", n)
	}

	// Outside the rebuild the trigger is heard as before.
	if _, err := conn.Exec(ctx, `UPDATE complaints SET assignee = 'ana' WHERE id = (SELECT id FROM complaints LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := waitBriefly(ctx, listener); err != nil {
		t.Errorf("an ordinary change was not heard: %v", err)
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// waitBriefly is the listener's next notification within half a second.
func waitBriefly(ctx context.Context, listener *pgx.Conn) (*pgconn.Notification, error) {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	return listener.WaitForNotification(ctx)
}
