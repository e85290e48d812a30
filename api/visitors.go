package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/redress-dev/redress/config"
)

const (
	// sweepEvery is how often a store drops the buckets that filled up again.
	sweepEvery = time.Minute
	// maxVisitors caps a store's buckets should many addresses call within
	// one refill time: about 150 bytes a bucket, 14 MiB at the cap.
	maxVisitors = 100_000
)

// visitors holds one token bucket per caller for one rate limit. A bucket
// that has filled up again is dropped, since a new caller gets a full one
// anyway: memory follows the callers of the last refill time, up to
// maxVisitors. Beyond that an arbitrary bucket makes room, which can only
// ever give its caller more, never less.
type visitors struct {
	limit   rate.Limit
	burst   int
	max     int
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

func newVisitors(r config.Rate) *visitors {
	return &visitors{limit: rate.Limit(r.PerSecond), burst: r.Burst, max: maxVisitors,
		buckets: map[string]*rate.Limiter{}, swept: time.Now()}
}

// Allow takes a token from the caller's bucket; a refusal's error says when
// to retry. It makes visitors a store of Echo's rate limiter middleware.
func (v *visitors) Allow(id string) (bool, error) {
	if wait := v.take(id, time.Now()); wait > 0 {
		return false, rateLimited(wait, "too many requests")
	}
	return true, nil
}

// take takes a token if there is one, and otherwise answers how long until
// there is.
func (v *visitors) take(id string, now time.Time) time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	b := v.bucket(id, now)
	if b.AllowN(now, 1) {
		return 0
	}
	return v.untilToken(b, now)
}

// wait is how long until the caller's bucket holds a token, without taking
// it: zero when it holds one.
func (v *visitors) wait(id string, now time.Time) time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.untilToken(v.bucket(id, now), now)
}

// charge takes a token even when there is none: the debt is waited out
// before the next token, so concurrent calls gain nothing.
func (v *visitors) charge(id string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.bucket(id, now).ReserveN(now, 1)
}

func (v *visitors) untilToken(b *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - b.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing / float64(v.limit) * float64(time.Second))
}

// bucket finds or makes the caller's bucket; v.mu is held.
func (v *visitors) bucket(id string, now time.Time) *rate.Limiter {
	if now.Sub(v.swept) >= sweepEvery {
		for other, b := range v.buckets {
			if b.TokensAt(now) >= float64(v.burst) {
				delete(v.buckets, other)
			}
		}
		v.swept = now
	}
	b, ok := v.buckets[id]
	if !ok {
		for other := range v.buckets {
			if len(v.buckets) < v.max {
				break
			}
			delete(v.buckets, other)
		}
		b = rate.NewLimiter(v.limit, v.burst)
		v.buckets[id] = b
	}
	return b
}
