package bench

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/ratelimit"
	"github.com/redress-dev/redress/redresstest"
)

// BenchmarkSharedRateLimit is the cost of a rate limit check that every API
// process holds in common: a statement on PostgreSQL's rate_buckets after
// the process's own bucket. One caller's calls meet on one row; many
// callers' on rows of their own. Each runs in parallel goroutines, as an
// API process's requests do.
func BenchmarkSharedRateLimit(b *testing.B) {
	db := redresstest.NewDB(b)
	limit := ratelimit.NewShared(db, "bench", config.Rate{PerSecond: 1e6, Burst: 1_000_000})
	b.Run("one caller", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if wait := limit.Take("key crm", time.Now()); wait != 0 {
					b.Fatalf("refused for %s", wait)
				}
			}
		})
	})
	var next atomic.Int64
	b.Run("many callers", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if wait := limit.Take("address "+strconv.FormatInt(next.Add(1), 10), time.Now()); wait != 0 {
					b.Fatalf("refused for %s", wait)
				}
			}
		})
	})
}
