package api

import (
	"strconv"
	"testing"
	"time"

	"github.com/redress-dev/redress/config"
)

func TestVisitorsWaitIsTheTimeToTheNextToken(t *testing.T) {
	v := newVisitors(config.Rate{PerSecond: 1.0 / 60, Burst: 2})
	now := time.Now()
	if v.take("a", now) != 0 || v.take("a", now) != 0 {
		t.Fatal("a full bucket refused a call")
	}
	if wait := v.take("a", now.Add(15*time.Second)); wait != 45*time.Second {
		t.Errorf("wait = %s; want 45s", wait)
	}
	if wait := v.take("b", now); wait != 0 {
		t.Errorf("another caller waits %s", wait)
	}
}

func TestVisitorsChargeLeavesADebt(t *testing.T) {
	v := newVisitors(config.Rate{PerSecond: 1, Burst: 2})
	now := time.Now()
	for range 5 { // five misses at once: two tokens and a debt of three
		v.charge("a", now)
	}
	if wait := v.wait("a", now); wait != 4*time.Second {
		t.Errorf("wait = %s; want 4s", wait)
	}
	if wait := v.wait("a", now.Add(4*time.Second)); wait != 0 {
		t.Errorf("wait after the debt = %s", wait)
	}
}

func TestVisitorsForgetBucketsThatFilledUp(t *testing.T) {
	v := newVisitors(config.Rate{PerSecond: 1.0 / 60, Burst: 2})
	now := time.Now()
	v.take("quiet", now)                     // full again a minute later
	v.take("busy", now)                      // two minutes to refill
	v.take("busy", now)                      //
	v.take("newcomer", now.Add(time.Second)) // no sweep yet
	if len(v.buckets) != 3 {
		t.Fatalf("%d buckets before the sweep", len(v.buckets))
	}
	v.take("late", now.Add(sweepEvery+time.Second))
	if _, ok := v.buckets["quiet"]; ok {
		t.Error("a full bucket was kept")
	}
	if _, ok := v.buckets["busy"]; !ok {
		t.Error("a bucket still refilling was dropped")
	}
	later := now.Add(sweepEvery + time.Second) // one token refilled of two
	if v.take("busy", later) != 0 || v.take("busy", later) == 0 {
		t.Error("the busy caller's bucket is not the one it left")
	}
}

func TestVisitorsAreCapped(t *testing.T) {
	v := newVisitors(config.Rate{PerSecond: 1, Burst: 1})
	v.max = 100
	now := time.Now()
	for i := range 1000 {
		v.take(strconv.Itoa(i), now)
	}
	if len(v.buckets) != 100 {
		t.Errorf("%d buckets; want the cap, 100", len(v.buckets))
	}
	if _, ok := v.buckets["999"]; !ok {
		t.Error("the newest caller has no bucket")
	}
}
