// Package postgres stores complaints, customers, timelines and the outbox in
// PostgreSQL through pgx v5.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/crypt"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the store: a pool of connections to one database, and the keys
// that seal the personal data it keeps.
type DB struct {
	pool  *pgxpool.Pool
	vault *vault
}

// Open connects to the database at url. It does not wait for the server.
// keys (REDRESS_DATA_KEYS) seal and open personal data; a store opened
// without them (nil) serves only what holds none, such as staff accounts.
func Open(ctx context.Context, url string, keys *crypt.Keyring) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad DATABASE_URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &DB{pool: pool, vault: &vault{ring: keys, keys: map[string]cachedKey{}, owners: map[string]string{}}}, nil
}

// Close releases every connection.
func (db *DB) Close() { db.pool.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return wrap(db.pool.Ping(ctx)) }

// migrationLock serialises concurrent migrators (several API replicas
// starting at once) on a PostgreSQL advisory lock.
const migrationLock = 0x5245_4452_4553_53 // "REDRESS"

// Migrate applies every migration not yet applied, in order, each in its own
// transaction.
func (db *DB) Migrate(ctx context.Context) error { return db.migrate(ctx, math.MaxInt) }

// migrate applies the migrations not yet applied up to version last.
func (db *DB) migrate(ctx context.Context, last int) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return wrap(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return wrap(err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return wrap(err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("postgres: migration %s has no version number", base)
		}
		if version > last {
			break
		}
		sql, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, version, base)
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
			_, err = tx.Exec(ctx, string(sql))
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %s: %w", base, err)
		}
	}
	return nil
}

// wrap turns errors that mean "the database is not reachable" into
// EUNAVAILABLE, so that callers answer 503 and clients retry.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "53300" {
			return &redress.Error{Code: redress.EUNAVAILABLE, Message: "the database is unavailable"}
		}
		// A transaction chosen to break a deadlock or a serialization
		// conflict wrote nothing; the same request again succeeds.
		if pgErr.Code == "40P01" || pgErr.Code == "40001" {
			return &redress.Error{Code: redress.EUNAVAILABLE, Message: "the database was busy; try again"}
		}
		return err
	}
	if pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) || isConnectError(err) {
		return &redress.Error{Code: redress.EUNAVAILABLE, Message: "the database is unavailable"}
	}
	return err
}

func isConnectError(err error) bool {
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || pgconn.SafeToRetry(err) ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "closed pool")
}
