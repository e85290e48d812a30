package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// RateBucket names one caller's bucket of one limit, and its rate: a token
// every Every, up to Burst.
type RateBucket struct {
	Key   []byte
	Every time.Duration
	Burst int
}

// slack is how far a bucket's full_at may run ahead of now while it still
// holds a token: the time its other burst-1 tokens take to come back.
func (b RateBucket) slack() time.Duration { return time.Duration(b.Burst-1) * b.Every }

// TakeRateToken takes a token from the bucket at now and answers zero, or,
// when it holds none, takes nothing and answers how long until it will.
// With force it takes the token all the same, running the bucket into a
// debt that later callers wait out: a charge for a failed attempt.
func (db *DB) TakeRateToken(ctx context.Context, b RateBucket, now time.Time, force bool) (time.Duration, error) {
	now = now.Truncate(time.Microsecond) // PostgreSQL's precision, so that answers follow the model exactly
	for {
		err := db.pool.QueryRow(ctx, `
			INSERT INTO rate_buckets AS b (bucket, full_at) VALUES ($1, $2::timestamptz + $3 * interval '1 microsecond')
			ON CONFLICT (bucket) DO UPDATE SET full_at = greatest(b.full_at, $2) + $3 * interval '1 microsecond'
			WHERE $5 OR greatest(b.full_at, $2) <= $2::timestamptz + $4 * interval '1 microsecond'
			RETURNING true`, b.Key, now, b.Every.Microseconds(), b.slack().Microseconds(), force).Scan(new(bool))
		if err == nil {
			return 0, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, wrap(err)
		}
		// Refused: the wait is read after, and a bucket that another
		// process filled meanwhile (its row swept) is tried again.
		if wait, err := db.RateTokenWait(ctx, b, now); err != nil || wait > 0 {
			return wait, err
		}
	}
}

// RateTokenWait is how long from now until the bucket holds a token,
// taking none: zero when it holds one.
func (db *DB) RateTokenWait(ctx context.Context, b RateBucket, now time.Time) (time.Duration, error) {
	now = now.Truncate(time.Microsecond)
	var fullAt time.Time
	err := db.pool.QueryRow(ctx, `SELECT full_at FROM rate_buckets WHERE bucket = $1`, b.Key).Scan(&fullAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap(err)
	}
	return max(0, fullAt.Sub(now)-b.slack()), nil
}

// ForgetFullRateBuckets deletes the buckets that are full again at now,
// which say no more than a missing row.
func (db *DB) ForgetFullRateBuckets(ctx context.Context, now time.Time) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM rate_buckets WHERE full_at <= $1`, now)
	return wrap(err)
}
