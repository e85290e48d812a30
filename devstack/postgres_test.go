package devstack_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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

// A clone in a private home (root's is 0700) must run as it is. As root,
// PostgreSQL runs as the postgres user, who cannot enter the home: the
// cluster must live outside it, reached through the data dir, and be found
// again on the next start. As anyone else it stays in the data dir. Either
// way the home keeps its mode.
func TestPostgresInAPrivateHome(t *testing.T) {
	home := privateHome(t)
	dataDir := filepath.Join(home, "redress", ".redress", "postgres")
	ctx := context.Background()

	pg := startPostgres(t, dataDir)
	execSQL(t, pg, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('filed before the restart')")
	first := pg.Dir()
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}

	pg = startPostgres(t, dataDir)
	if pg.Dir() != first {
		t.Errorf("the second start used %s, the first %s", pg.Dir(), first)
	}
	conn, err := pgx.Connect(ctx, pg.URL("redress"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var note string
	if err := conn.QueryRow(ctx, "SELECT note FROM kept").Scan(&note); err != nil || note != "filed before the restart" {
		t.Errorf("after the restart: %q, %v", note, err)
	}

	if info, err := os.Stat(home); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("the home is now %v (%v); it must stay 0700", info.Mode(), err)
	}
	if os.Geteuid() != 0 {
		if pg.Dir() != dataDir {
			t.Errorf("the cluster is in %s; not running as root, it belongs in %s", pg.Dir(), dataDir)
		}
		return
	}
	if strings.HasPrefix(pg.Dir(), home+"/") {
		t.Errorf("the cluster is in %s, inside a home the postgres user cannot enter", pg.Dir())
	}
	if link, err := os.Readlink(dataDir); err != nil || link != pg.Dir() {
		t.Errorf("the data dir leads to %q (%v), not to the cluster %s", link, err, pg.Dir())
	}
}

// Deleting the data dir means starting afresh, wherever the cluster lived.
func TestPostgresStartsAfreshWithoutItsDataDir(t *testing.T) {
	home := privateHome(t)
	dataDir := filepath.Join(home, "redress", ".redress", "postgres")
	pg := startPostgres(t, dataDir)
	execSQL(t, pg, "CREATE TABLE forgotten (note text)")
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(home, "redress")); err != nil {
		t.Fatal(err)
	}

	pg = startPostgres(t, dataDir)
	execSQL(t, pg, "CREATE TABLE forgotten (note text)") // fails if the old cluster came back
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
}

// privateHome makes a directory only its owner may enter, as /root is.
func privateHome(t *testing.T) string {
	home := t.TempDir()
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	return home
}

// startPostgres starts the cluster for dataDir and, at the end of the test,
// stops it and deletes its files wherever they are.
func startPostgres(t *testing.T, dataDir string) *devstack.Postgres {
	t.Helper()
	pg, err := devstack.StartPostgres(context.Background(), dataDir, "redress")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = pg.Stop() // already stopped when the test got that far
		os.RemoveAll(pg.Dir())
	})
	return pg
}

func execSQL(t *testing.T, pg *devstack.Postgres, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.URL("redress"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}
