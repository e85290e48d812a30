package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// Lines appended at once get consecutive numbers, each chained to the one
// before; the log refuses changes and deletions; and when someone with the
// database's own rights changes a line or removes one anyway, the check
// names the line where the chain breaks.
func TestAuditLogChainsAndShowsTampering(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	db := redresstest.OpenDB(t, url)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Audit(ctx, redress.AuditLine{Actor: fmt.Sprintf("key:crm-%d", i%3), Action: redress.AuditReadComplaint,
				Target: fmt.Sprintf("complaint:%d", i), Detail: map[string]any{"where": "api", "n": i, "名字": "王芳 <x>"}})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n, broken, err := db.VerifyAudit(ctx); err != nil || broken != nil || n != 40 {
		t.Fatalf("verify: %d lines, break %+v, %v; want 40 intact", n, broken, err)
	}
	lines, next, err := db.AuditLog(ctx, postgres.AuditFilter{Actor: "key:crm-1", Limit: 5})
	if err != nil || len(lines) != 5 || next == 0 || lines[0].Seq <= lines[4].Seq {
		t.Fatalf("a page of crm-1's lines: %d lines, next %d, %v", len(lines), next, err)
	}
	rest, _, err := db.AuditLog(ctx, postgres.AuditFilter{Actor: "key:crm-1", Before: next, Limit: 100})
	if err != nil || len(lines)+len(rest) != 13 {
		t.Errorf("crm-1 has %d+%d lines, %v; want 13", len(lines), len(rest), err)
	}

	conn := connect(t, url)
	for _, sql := range []string{`UPDATE audit_log SET actor = 'key:nobody' WHERE seq = 7`, `DELETE FROM audit_log WHERE seq = 9`,
		`TRUNCATE audit_log`} {
		if _, err := conn.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v; want it refused", sql, err)
		}
	}
	// Someone who turns the trigger off: the chain shows it.
	for _, tamper := range []struct {
		sql, want string
		seq       int64
	}{
		{`UPDATE audit_log SET detail = jsonb_set(detail, '{n}', '99') WHERE seq = 7`, "line 7 was changed", 7},
		{`DELETE FROM audit_log WHERE seq = 3`, "line 3 is missing", 3},
	} {
		for _, sql := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`, tamper.sql,
			`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Fatal(err)
			}
		}
		if _, broken, err := db.VerifyAudit(ctx); err != nil || broken == nil || broken.Seq != tamper.seq || !strings.Contains(broken.Reason, tamper.want) {
			t.Errorf("after %s: break %+v, %v; want %q", tamper.sql, broken, err, tamper.want)
		}
	}
}
