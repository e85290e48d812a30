// Package redresstest is the one test harness: it starts the real parts
// (PostgreSQL, a Temporal server, the worker and the API) for tests.
package redresstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress/devstack"
	"github.com/redress-dev/redress/postgres"
)

var (
	clusterOnce sync.Once
	cluster     *devstack.Postgres
	clusterDir  string
	adminURL    string
	clusterErr  error
)

// Main runs a package's tests and then stops the PostgreSQL cluster they
// started, if any. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "redresstest:", err)
		}
		os.RemoveAll(clusterDir)
	}
	os.Exit(code)
}

// serverURL returns an admin connection string: DATABASE_URL when it is set,
// else that of a cluster started for this test binary.
func serverURL(tb testing.TB) string {
	tb.Helper()
	clusterOnce.Do(func() {
		if url := os.Getenv("DATABASE_URL"); url != "" {
			adminURL = url
			return
		}
		if clusterDir, clusterErr = os.MkdirTemp("", "redress-pg-"); clusterErr != nil {
			return
		}
		if clusterErr = os.Chmod(clusterDir, 0o755); clusterErr != nil {
			return
		}
		cluster, clusterErr = devstack.StartPostgres(context.Background(), clusterDir+"/data", "postgres")
		if clusterErr == nil {
			adminURL = cluster.URL("postgres")
		}
	})
	if clusterErr != nil {
		tb.Fatalf("PostgreSQL for the tests: %v", clusterErr)
	}
	return adminURL
}

// NewDatabaseURL creates an empty database for one test and returns its
// connection string.
func NewDatabaseURL(tb testing.TB) string {
	tb.Helper()
	admin := serverURL(tb)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "redress_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	return withDatabase(tb, admin, name)
}

// withDatabase points a connection string, URL or key=value, at another database.
func withDatabase(tb testing.TB, connString, db string) string {
	if !strings.Contains(connString, "://") {
		return connString + " dbname=" + db
	}
	u, err := url.Parse(connString)
	if err != nil {
		tb.Fatalf("DATABASE_URL: %v", err)
	}
	u.Path = "/" + db
	return u.String()
}

// NewDB opens a migrated, empty database for one test.
func NewDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	return OpenDB(tb, NewDatabaseURL(tb))
}

// OpenDB opens the database at url, migrated, until the test ends.
func OpenDB(tb testing.TB, url string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), url, Keyring(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(db.Close)
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}
