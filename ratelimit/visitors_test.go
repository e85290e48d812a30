package ratelimit

import (
	"strconv"
	"testing"
	"time"

	"github.com/redress-dev/redress/config"
)

func TestVisitorsWaitIsTheTimeToTheNextToken(t *testing.T) {
	v := New(config.Rate{PerSecond: 1.0 / 60, Burst: 2})
	now := time.Now()
	if v.Take("a", now) != 0 || v.Take("a", now) != 0 {
		t.Fatal("a full bucket refused a call")
	}
	if wait := v.Take("a", now.Add(15*time.Second)); wait != 45*time.Second {
		t.Errorf("wait = %s; want 45s", wait)
	}
	if wait := v.Take("b", now); wait != 0 {
		t.Errorf("another caller waits %s", wait)
	}
}

func TestVisitorsChargeLeavesADebt(t *testing.T) {
	v := New(config.Rate{PerSecond: 1, Burst: 2})
	now := time.Now()
	for range 5 { // five misses at once: two tokens and a debt of three
		v.Charge("a", now)
	}
	if wait := v.Wait("a", now); wait != 4*time.Second {
		t.Errorf("wait = %s; want 4s", wait)
	}
	if wait := v.Wait("a", now.Add(4*time.Second)); wait != 0 {
		t.Errorf("wait after the debt = %s", wait)
	}
}

func TestVisitorsForgetBucketsThatFilledUp(t *testing.T) {
	v := New(config.Rate{PerSecond: 1.0 / 60, Burst: 2})
	now := time.Now()
	v.Take("quiet", now)                     // full again a minute later
	v.Take("busy", now)                      // two minutes to refill
	v.Take("busy", now)                      //
	v.Take("newcomer", now.Add(time.Second)) // no sweep yet
	if len(v.buckets) != 3 {
		t.Fatalf("%d buckets before the sweep", len(v.buckets))
	}
	v.Take("late", now.Add(sweepEvery+time.Second))
	if _, ok := v.buckets["quiet"]; ok {
		t.Error("a full bucket was kept")
	}
	if _, ok := v.buckets["busy"]; !ok {
		t.Error("a bucket still refilling was dropped")
	}
	later := now.Add(sweepEvery + time.Second) // one token refilled of two
	if v.Take("busy", later) != 0 || v.Take("busy", later) == 0 {
		t.Error("the busy caller's bucket is not the one it left")
	}
}

func TestVisitorsAreCapped(t *testing.T) {
	v := New(config.Rate{PerSecond: 1, Burst: 1})
	v.max = 100
	now := time.Now()
	for i := range 1000 {
		v.Take(strconv.Itoa(i), now)
	}
	if len(v.buckets) != 100 {
		t.Errorf("%d buckets; want the cap, 100", len(v.buckets))
	}
	if _, ok := v.buckets["999"]; !ok {
		t.Error("the newest caller has no bucket")
	}
}
