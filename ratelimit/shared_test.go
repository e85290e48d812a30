package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/ratelimit"
	"github.com/redress-dev/redress/redresstest"
)

func TestMain(m *testing.M) { redresstest.Main(m) }

// Two API processes' limits over one database allow a caller what one
// would: the burst in all, then the time to the next token at either.
func TestSharedLimitHoldsAcrossProcesses(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	rate := config.Rate{PerSecond: 1.0 / 60, Burst: 4}
	first := ratelimit.NewShared(redresstest.OpenDB(t, url), "intake", rate)
	second := ratelimit.NewShared(redresstest.OpenDB(t, url), "intake", rate)
	now := time.Now()
	for i := range 4 {
		if wait := []*ratelimit.Shared{first, second}[i%2].Take("key crm", now); wait != 0 {
			t.Fatalf("call %d of a burst of 4 was refused for %s", i+1, wait)
		}
	}
	for _, limit := range []*ratelimit.Shared{first, second} {
		if wait := limit.Take("key crm", now.Add(15*time.Second)); wait < 44*time.Second || wait > 45*time.Second {
			t.Errorf("a fifth call 15 s later waits %s; want 45 s, at whichever process it reaches", wait)
		}
	}
	if wait := second.Take("key mail", now); wait != 0 {
		t.Errorf("another caller waits %s", wait)
	}
	other := ratelimit.NewShared(redresstest.OpenDB(t, url), "analytics", rate)
	if wait := other.Take("key crm", now); wait != 0 {
		t.Errorf("the same caller under another limit waits %s", wait)
	}

	// Charges (failed sign-ins) made at one process are waited out at the
	// other.
	for range 4 {
		first.Charge("ana@example.com", now)
	}
	if wait := second.Wait("ana@example.com", now); wait < 59*time.Second || wait > 60*time.Second {
		t.Errorf("after four charges at one process the other says wait %s; want 60 s", wait)
	}
}

// When PostgreSQL cannot answer, each process's own bucket decides: the
// limit still holds per process, and no call fails.
func TestSharedLimitFallsBackToTheProcess(t *testing.T) {
	db, err := postgres.Open(context.Background(), redresstest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	limit := ratelimit.NewShared(db, "intake", config.Rate{PerSecond: 1.0 / 60, Burst: 2})
	db.Close()
	now := time.Now()
	if limit.Take("key crm", now) != 0 || limit.Take("key crm", now) != 0 {
		t.Fatal("with the database gone, a full bucket refused a call")
	}
	if wait := limit.Take("key crm", now); wait != time.Minute {
		t.Errorf("with the database gone, a third call waits %s; want the process's own 1m0s", wait)
	}
}
