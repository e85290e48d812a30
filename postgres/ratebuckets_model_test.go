package postgres_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"
	"pgregory.net/rapid"

	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/redresstest/slamodel"
)

// The rate buckets in PostgreSQL answer as golang.org/x/time/rate's token
// bucket does, on random takes, waits, charges and sweeps of a few buckets
// at random times (a fixed seed; rapid shrinks a failure), to the
// microsecond PostgreSQL keeps.
func TestRateBucketsMatchTheModel(t *testing.T) {
	slamodel.Checks(300)
	db := redresstest.NewDB(t)
	ctx := context.Background()
	rapid.Check(t, func(t *rapid.T) {
		every := rapid.SampledFrom([]time.Duration{time.Millisecond, 50 * time.Millisecond, time.Second, 3 * time.Minute}).Draw(t, "every")
		burst := rapid.IntRange(1, 5).Draw(t, "burst")
		var buckets []postgres.RateBucket
		var models []*rate.Limiter
		for range 3 {
			key := uuid.New()
			buckets = append(buckets, postgres.RateBucket{Key: key[:], Every: every, Burst: burst})
			models = append(models, rate.NewLimiter(rate.Every(every), burst))
		}
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		for step := range rapid.IntRange(1, 40).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.Int64Range(0, 3*every.Microseconds()).Draw(t, "advance µs")) * time.Microsecond)
			i := rapid.IntRange(0, len(buckets)-1).Draw(t, "bucket")
			b, model := buckets[i], models[i]
			var got, want time.Duration
			var err error
			switch op := rapid.SampledFrom([]string{"take", "wait", "charge", "sweep"}).Draw(t, "op"); op {
			case "take":
				want = untilToken(model, now)
				if want == 0 {
					model.AllowN(now, 1)
				}
				got, err = db.TakeRateToken(ctx, b, now, false)
			case "wait":
				want = untilToken(model, now)
				got, err = db.RateTokenWait(ctx, b, now)
			case "charge":
				model.ReserveN(now, 1)
				got, err = db.TakeRateToken(ctx, b, now, true)
			case "sweep":
				err = db.ForgetFullRateBuckets(ctx, now)
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := got - want; d < -time.Microsecond || d > time.Microsecond {
				t.Fatalf("step %d, bucket %d: PostgreSQL answers a wait of %s; the model %s", step, i, got, want)
			}
		}
	})
}

// untilToken is how long the model's bucket needs until it holds a token.
func untilToken(l *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - l.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(missing / float64(l.Limit()) * float64(time.Second)))
}
