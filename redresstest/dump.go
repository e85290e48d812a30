package redresstest

import (
	"os/exec"
	"testing"

	"github.com/redress-dev/redress/devstack"
)

// Dump is what pg_dump writes of the database at url: what anyone with a
// backup, or with the database, would read.
func Dump(tb testing.TB, url string) string {
	tb.Helper()
	pgDump, err := devstack.PostgresTool("pg_dump")
	if err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(pgDump, "--no-owner", "--dbname", url).Output()
	if err != nil {
		tb.Fatalf("pg_dump: %v", err)
	}
	return string(out)
}
