// Package ratelimit keeps a token bucket per caller, in the process and in
// common with the other API processes (Shared): the API's rate limits and
// the console's sign-in attempts count with it.
package ratelimit

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
)

const (
	// sweepEvery is how often a store drops the buckets that filled up again.
	sweepEvery = time.Minute
	// maxVisitors caps a store's buckets should many addresses call within
	// one refill time: about 150 bytes a bucket, 14 MiB at the cap.
	maxVisitors = 100_000
)

// Visitors holds one token bucket per caller for one rate limit. A bucket
// that has filled up again is dropped, since a new caller gets a full one
// anyway: memory follows the callers of the last refill time, up to
// maxVisitors. Beyond that an arbitrary bucket makes room, which can only
// ever give its caller more, never less.
type Visitors struct {
	limit   rate.Limit
	burst   int
	max     int
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

func New(r config.Rate) *Visitors {
	return &Visitors{limit: rate.Limit(r.PerSecond), burst: r.Burst, max: maxVisitors,
		buckets: map[string]*rate.Limiter{}, swept: time.Now()}
}

// Allow takes a token from the caller's bucket; a refusal's error says when
// to retry. It makes Visitors a store of Echo's rate limiter middleware.
func (v *Visitors) Allow(id string) (bool, error) {
	if wait := v.Take(id, time.Now()); wait > 0 {
		return false, Refusal(wait, "too many requests")
	}
	return true, nil
}

// Take takes a token if there is one, and otherwise answers how long until
// there is.
func (v *Visitors) Take(id string, now time.Time) time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	b := v.bucket(id, now)
	if b.AllowN(now, 1) {
		return 0
	}
	return v.untilToken(b, now)
}

// Wait is how long until the caller's bucket holds a token, without taking
// it: zero when it holds one.
func (v *Visitors) Wait(id string, now time.Time) time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.untilToken(v.bucket(id, now), now)
}

// Charge takes a token even when there is none: the debt is waited out
// before the next token, so concurrent calls gain nothing.
func (v *Visitors) Charge(id string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.bucket(id, now).ReserveN(now, 1)
}

func (v *Visitors) untilToken(b *rate.Limiter, now time.Time) time.Duration {
	missing := 1 - b.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing / float64(v.limit) * float64(time.Second))
}

// bucket finds or makes the caller's bucket; v.mu is held.
func (v *Visitors) bucket(id string, now time.Time) *rate.Limiter {
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

// Refusal is a refusal by a rate limit, with the whole seconds until the
// caller's next call will pass.
func Refusal(wait time.Duration, what string) error {
	seconds := RetryAfterSeconds(wait)
	return &redress.Error{Code: redress.ERATELIMITED, Message: fmt.Sprintf("%s; retry in %d s", what, seconds),
		RetryAfter: time.Duration(seconds) * time.Second}
}

// RetryAfterSeconds is a wait as Retry-After's whole seconds, at least one.
func RetryAfterSeconds(wait time.Duration) int { return max(1, int(math.Ceil(wait.Seconds()))) }
