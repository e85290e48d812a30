package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress/redresstest"
)

// The rebuild command as an operator runs it after writing rows by hand:
// it refreshes the repeat facts left stale, reports its progress by the
// week, makes the rollups hold every complaint in the policy's zone, and a
// second run changes nothing.
func TestAnalyticsRebuildCommand(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	redresstest.OpenDB(t, url) // migrated
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO customers (id, name, tier) VALUES ('00000000-0000-0000-0000-000000000001', 'c', 'gold');
		INSERT INTO complaints (id, customer_id, status, priority, category, severity, channel, subject, description,
			created_at, acknowledged_at, survey, tracking_token_hash)
		SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', 'acknowledged', 'P2', 'billing', 'low', 'web', 's', 'd',
			timestamptz '2026-10-20 12:00Z' + i * interval '7 hours', timestamptz '2026-10-20 13:00Z' + i * interval '7 hours',
			CASE WHEN i % 3 = 0 THEN '{"status": "answered", "score": 4}'::jsonb ELSE '{}' END, decode(md5(i::text), 'hex')
		FROM generate_series(0, 99) i;
		UPDATE complaints SET previous_customer_at = NULL -- as an import leaves them`); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(policy, []byte("timezone: America/New_York\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", url)
	rebuild := func() string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := analyticsMain(ctx, []string{"rebuild", "--policy", policy}, &out, &errOut); code != 0 {
			t.Fatalf("rebuild exited %d: %s", code, errOut.String())
		}
		return out.String()
	}
	rollups := func() string {
		t.Helper()
		var s string
		if err := conn.QueryRow(ctx, `SELECT string_agg(concat_ws(' ', day, dimension, value, complaints, acknowledged,
				ack_micros, surveys_answered, csat_score_sum), E'\n' ORDER BY day, dimension, value)
			FROM analytics_daily d JOIN analytics_bases b ON b.id = d.basis WHERE b.ready AND b.zone = 'America/New_York'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	out := rebuild()
	// 100 complaints 7 hours apart span 30 days of New York (one of 25
	// hours, as the clocks fall back on 1 November): five batches.
	if !strings.Contains(out, "zone America/New_York") || !strings.Contains(out, "repeat facts of 99 of 99 complaints refreshed") || !regexp.MustCompile(`(?m)^30 of 30 days, 100 complaints`).MatchString(out) ||
		strings.Count(out, " of 30 days") != 5 || !strings.HasSuffix(out, "done\n") {
		t.Errorf("progress:\n%s", out)
	}
	first := rollups()
	var total, acknowledged, micros int64
	if err := conn.QueryRow(ctx, `SELECT sum(complaints), sum(acknowledged), sum(ack_micros) FROM analytics_daily WHERE dimension = ''`).
		Scan(&total, &acknowledged, &micros); err != nil {
		t.Fatal(err)
	}
	if total != 100 || acknowledged != 100 || micros != 100*3600*1e6 {
		t.Errorf("the rollups hold %d complaints, %d acknowledged after %d µs in all; want 100, 100, 100 hours", total, acknowledged, micros)
	}
	// 1 November 2026 in New York: complaints 0:00 to 24:59 local time.
	var onFallBack int64
	if err := conn.QueryRow(ctx, `SELECT complaints FROM analytics_daily WHERE dimension = '' AND day = '2026-11-01'`).Scan(&onFallBack); err != nil {
		t.Fatal(err)
	}
	var want int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE created_at >= '2026-11-01 04:00Z' AND created_at < '2026-11-02 05:00Z'`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if onFallBack != want {
		t.Errorf("1 November counts %d complaints; its 25 hours hold %d", onFallBack, want)
	}
	if again := rebuild(); strings.Contains(again, "repeat facts") {
		t.Errorf("a second rebuild found stale facts:\n%s", again)
	}
	if again := rollups(); again != first {
		t.Errorf("a second rebuild changed the rollups:\n%s\nthen\n%s", first, again)
	}

	var out2, errOut bytes.Buffer
	if code := analyticsMain(ctx, []string{"rebiuld"}, &out2, &errOut); code != 2 || !strings.Contains(errOut.String(), "Usage") {
		t.Errorf("a misspelt command: exit %d, %q", code, errOut.String())
	}
	if err := os.WriteFile(policy, []byte("timezone: Mars/Olympus\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := analyticsMain(ctx, []string{"rebuild", "--policy", policy}, &out2, &errOut); code != 1 || !strings.Contains(errOut.String(), "timezone") {
		t.Errorf("a bad policy: exit %d, %q", code, errOut.String())
	}
}
