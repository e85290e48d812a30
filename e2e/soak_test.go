package e2e

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

var (
	soakFor    = flag.Duration("soak", 45*time.Second, "how long TestSoak files complaints (make soak: 10m)")
	soakRate   = flag.Float64("soak.rate", 3, "complaints a second TestSoak files (make soak: SOAK_RATE)")
	soakCache  = flag.Int("soak.cache", loadCache, "complaint workflows each of TestSoak's workers keeps in memory (make soak: SOAK_CACHE)")
	soakStrict = flag.Bool("soak.strict", false, "TestSoak fails on any 503 too: at half the measured capacity nothing should be turned away (make soak)")
)

// A soak of the production shape (two API and two worker processes on
// Temporal on PostgreSQL with four shards): complaints arrive at a steady
// rate for the soak's length, each following one of the workload's scripts,
// so every action runs all along. Afterwards nothing is lost and nothing
// answered 5xx but 503 (the workload's checks; make soak counts a 503 as a
// failure too), and the processes' memory at the start, along the way and
// at the end is reported. `make soak` runs it for ten minutes; `make test`
// for 45 seconds.
//
// The workers' small cache (loadCache) fills in the soak's first minutes,
// so the rest of it shows whether their memory then stays level.
func TestSoak(t *testing.T) {
	infra, shape, workers := startLoadShape(t, *soakCache)
	processes := map[string]*redresstest.Process{"api 1": shape.apis[0], "api 2": shape.apis[1],
		"worker 1": workers[0], "worker 2": workers[1]}
	names := []string{"api 1", "api 2", "worker 1", "worker 2"}
	memory := func() string {
		var parts []string
		for _, name := range names {
			rss, cpu := processes[name].Usage()
			parts = append(parts, fmt.Sprintf("%s %d MiB (%.0f s CPU)", name, rss>>20, cpu.Seconds()))
		}
		return strings.Join(parts, ", ")
	}
	t.Logf("at the start: %s", memory())

	w := newWorkload(t, shape.addrs, "soak", shape.hook)
	every := time.Duration(float64(time.Second) / *soakRate)
	began := time.Now()
	report := time.NewTicker(max(*soakFor/5, 10*time.Second))
	defer report.Stop()
	var scripts sync.WaitGroup
	for i := 0; time.Since(began) < *soakFor; i++ {
		scripts.Go(func() { w.run(i, redresstest.ProcessIntakeKey, redresstest.ProcessAgentKey) })
		select {
		case <-report.C:
			t.Logf("after %s, %d complaints: %s", time.Since(began).Round(time.Second), i+1, memory())
		default:
		}
		time.Sleep(time.Until(began.Add(time.Duration(i+1) * every)))
	}
	scripts.Wait()
	t.Logf("at the end, %s after the start, every script done: %s", time.Since(began).Round(time.Second), memory())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Logf("%s; %.1f complaints a second for %s, a workflow cache of %d", w.verify(ctx, infra.Config.DatabaseURL, infra.Temporal, loadWindow), *soakRate, *soakFor, *soakCache)
	if n := w.unavailable.Load(); *soakStrict && n > 0 {
		t.Errorf("clients met %d answers of 503 at %.1f complaints a second", n, *soakRate)
	}
}
