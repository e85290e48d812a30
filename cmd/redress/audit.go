package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/redress-dev/redress/postgres"
)

const auditUsage = `Usage:
  redress audit verify

Checks the audit log's hash chain from its first line to its last: a line
changed, or one removed, breaks it, and the command names the line and
exits 1. DATABASE_URL names the database; the dev stack prints the address
of its own.
`

// auditMain runs "redress audit ..." and returns the exit code.
func auditMain(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) != 1 || args[0] != "verify" {
		fmt.Fprint(errOut, auditUsage)
		return 2
	}
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprint(errOut, "redress audit: set DATABASE_URL\n\n"+auditUsage)
		return 2
	}
	db, err := postgres.Open(ctx, url, nil)
	if err != nil {
		fmt.Fprintln(errOut, "redress audit:", err)
		return 1
	}
	defer db.Close()
	checked, broken, err := db.VerifyAudit(ctx)
	switch {
	case err != nil:
		fmt.Fprintln(errOut, "redress audit:", err)
		return 1
	case broken != nil:
		fmt.Fprintf(out, "the audit log's chain breaks at line %d: %s (%d lines before it are intact)\n", broken.Seq, broken.Reason, checked)
		return 1
	}
	fmt.Fprintf(out, "%d lines, the chain intact\n", checked)
	return 0
}
