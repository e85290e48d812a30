package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// redress audit verify says the chain is intact, and names the line where
// it breaks once a line was changed behind the log's back (exit 1).
func TestAuditVerifyCommand(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	db := redresstest.OpenDB(t, url)
	ctx := context.Background()
	for _, target := range []string{"customer:1", "customer:2", "customer:3"} {
		if err := db.Audit(ctx, redress.AuditLine{Actor: "key:desk", Action: redress.AuditReadCustomer, Target: target}); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("DATABASE_URL", url)
	var out, errOut bytes.Buffer
	if code := auditMain(ctx, []string{"verify"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "3 lines, the chain intact") {
		t.Errorf("verify: exit %d, %q %q", code, out.String(), errOut.String())
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
		`UPDATE audit_log SET target = 'customer:9' WHERE seq = 2`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if code := auditMain(ctx, []string{"verify"}, &out, &errOut); code != 1 || !strings.Contains(out.String(), "breaks at line 2") {
		t.Errorf("after a change: exit %d, %q", code, out.String())
	}
	if code := auditMain(ctx, []string{"check"}, &out, &errOut); code != 2 {
		t.Errorf("a misspelt command: exit %d", code)
	}
}
