package postgres

import "context"

// MigrateUpTo applies the migrations up to version last only, so that a test
// can put data in an older schema before migrating it further.
func (db *DB) MigrateUpTo(ctx context.Context, last int) error { return db.migrate(ctx, last) }
