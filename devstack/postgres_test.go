package devstack_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress/devstack"
)

// The dev stack's default data dir is relative (.redress): the cluster must
// start there, and start again over the same files.
func TestPostgresInARelativeDirectory(t *testing.T) {
	dir, err := os.MkdirTemp("", "redress-devstack-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // the postgres user must reach it when we are root
		t.Fatal(err)
	}
	t.Chdir(dir)
	ctx := context.Background()
	for range 2 {
		pg, err := devstack.StartPostgres(ctx, ".redress/postgres", "redress")
		if err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.Connect(ctx, pg.URL("redress"))
		if err != nil {
			t.Fatal(err)
		}
		var one int
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Errorf("query: %d, %v", one, err)
		}
		conn.Close(ctx)
		if err := pg.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(dir + "/.redress/postgres/PG_VERSION"); err != nil {
		t.Errorf("the cluster is not where it was asked to be: %v", err)
	}
}
