package ratelimit

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/postgres"
)

const (
	// ledgerTimeout bounds a call's wait for the shared buckets; past it,
	// or when PostgreSQL fails, the process's own bucket decides alone, so
	// a database in trouble slows no request at the limiter.
	ledgerTimeout = time.Second
	// forgetEvery is how often a limit deletes the shared buckets that are
	// full again.
	forgetEvery = time.Minute
)

// Shared is a rate limit that every API process holds in common: each
// caller's bucket is a row of PostgreSQL's rate_buckets, so N replicas
// allow a caller what one would, not N times as much. The process's own
// bucket is asked first, so a flood from one caller is turned away without
// a query. While a caller keeps within the limit, its local bucket holds at
// least the shared one's tokens (it counts only this process's calls) and
// never refuses first; a caller over the limit may meet a local refusal a
// little early, since its local bucket also paid for the calls the shared
// one refused.
type Shared struct {
	name  string
	local *Visitors
	db    *postgres.DB
	every time.Duration
	burst int

	mu        sync.Mutex
	forgotten time.Time
}

// NewShared is the limit named name (its buckets' namespace) at rate r.
func NewShared(db *postgres.DB, name string, r config.Rate) *Shared {
	return &Shared{name: name, local: New(r), db: db, burst: r.Burst,
		every: time.Duration(float64(time.Second) / r.PerSecond), forgotten: time.Now()}
}

// Allow takes a token from the caller's bucket; a refusal's error says when
// to retry. It makes Shared a store of Echo's rate limiter middleware.
func (s *Shared) Allow(id string) (bool, error) {
	if wait := s.Take(id, time.Now()); wait > 0 {
		return false, Refusal(wait, "too many requests")
	}
	return true, nil
}

// Take takes a token if there is one, and otherwise answers how long until
// there is.
func (s *Shared) Take(id string, now time.Time) time.Duration {
	if wait := s.local.Take(id, now); wait > 0 {
		return wait
	}
	return s.ask(func(ctx context.Context) (time.Duration, error) {
		return s.db.TakeRateToken(ctx, s.bucket(id), now, false)
	}, now)
}

// Wait is how long until the caller's bucket holds a token, without taking
// it: zero when it holds one.
func (s *Shared) Wait(id string, now time.Time) time.Duration {
	if wait := s.local.Wait(id, now); wait > 0 {
		return wait
	}
	return s.ask(func(ctx context.Context) (time.Duration, error) {
		return s.db.RateTokenWait(ctx, s.bucket(id), now)
	}, now)
}

// Charge takes a token even when there is none: the debt is waited out
// before the next token, so concurrent calls gain nothing.
func (s *Shared) Charge(id string, now time.Time) {
	s.local.Charge(id, now)
	s.ask(func(ctx context.Context) (time.Duration, error) {
		return s.db.TakeRateToken(ctx, s.bucket(id), now, true)
	}, now)
}

// ask puts a question to the shared buckets, answering zero (the local
// bucket's yes) when they cannot answer in time, and now and then deletes
// the buckets that are full again.
func (s *Shared) ask(question func(context.Context) (time.Duration, error), now time.Time) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerTimeout)
	defer cancel()
	if s.dueToForget(now) {
		_ = s.db.ForgetFullRateBuckets(ctx, now)
	}
	wait, err := question(ctx)
	if err != nil {
		return 0
	}
	return wait
}

func (s *Shared) dueToForget(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.forgotten) < forgetEvery {
		return false
	}
	s.forgotten = now
	return true
}

// bucket is the caller's bucket of this limit, keyed by a hash so that
// the table holds no API key, address or e-mail.
func (s *Shared) bucket(id string) postgres.RateBucket {
	key := sha256.Sum256([]byte(s.name + "\x00" + id))
	return postgres.RateBucket{Key: key[:], Every: s.every, Burst: s.burst}
}
