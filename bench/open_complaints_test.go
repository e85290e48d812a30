package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress/redresstest"
)

// openComplaints is how many complaints wait on their timers at once.
const openComplaints = 10_000

// BenchmarkOpenComplaints files 10,000 complaints through the production
// shape (a `redress worker` and a `redress api` process on Temporal on
// PostgreSQL with 4 shards) and lets every one of them wait on its
// acknowledgement window: it reports the worker's RSS and CPU with them
// all open, and how long after the last window passed the last of them
// escalated. Run with `make bench-open`.
func BenchmarkOpenComplaints(b *testing.B) {
	infra := redresstest.StartStack(b, redresstest.StackOptions{TemporalShards: 4, InfraOnly: true})
	const window = 6 * time.Minute
	env := redresstest.ProcessEnv(b, infra.Config.DatabaseURL, infra.Config.TemporalAddress, redresstest.AckWindowPolicy(window))
	intakeKey := redresstest.ProcessIntakeKey
	addr := "127.0.0.1:" + redresstest.FreePort(b)
	redresstest.StartProcess(b, append(env, "REDRESS_HTTP_ADDR="+addr), "api")
	profiles := "127.0.0.1:" + redresstest.FreePort(b)
	worker := redresstest.StartProcess(b, append(env, "REDRESS_METRICS_ADDR=127.0.0.1:"+redresstest.FreePort(b),
		"REDRESS_PPROF_ADDR="+profiles), "worker")
	redresstest.WaitReady(b, "http://"+addr+"/readyz", 2*time.Minute)
	api := *infra
	api.BaseURL = "http://" + addr
	rss0, cpu0 := worker.Usage()

	start := time.Now()
	var wg sync.WaitGroup
	next := make(chan int)
	for range 32 {
		wg.Go(func() {
			for i := range next {
				r := api.Do("POST", "/v1/complaints", intakeKey, map[string]any{
					"customer": map[string]any{"external_id": fmt.Sprintf("open-%d", i%2000)}, "channel": "web",
					"subject": "Parcel never arrived", "description": "Nothing came."}, "Idempotency-Key", "open-"+strconv.Itoa(i))
				if r.Status != http.StatusCreated {
					b.Errorf("intake %d: %d %s", i, r.Status, r.Body)
				}
			}
		})
	}
	for i := range openComplaints {
		next <- i
	}
	close(next)
	wg.Wait()
	filed := time.Since(start)
	lastWindow := time.Now().Add(window)
	// A minute of the worker's CPU profile from half a minute into the
	// burst of escalations.
	profiled := make(chan struct{})
	go func() {
		defer close(profiled)
		time.Sleep(time.Until(start.Add(window + 30*time.Second)))
		file := filepath.Join(os.TempDir(), "redress-escalation-burst.pprof")
		if err := saveCPUProfile("http://"+profiles, time.Minute, file); err != nil {
			b.Errorf("profile: %v", err)
			return
		}
		b.Logf("the worker's CPU profile of the escalation burst: go tool pprof -top %s", file)
	}()
	time.Sleep(10 * time.Second)
	rssOpen, cpuOpen := worker.Usage()

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, infra.Config.DatabaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for {
		var waiting int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE escalation_level = 0`).Scan(&waiting); err != nil {
			b.Fatal(err)
		}
		if waiting == 0 {
			break
		}
		if time.Since(lastWindow) > 10*time.Minute {
			b.Fatalf("%d complaints not escalated 10 minutes after the last window passed", waiting)
		}
		time.Sleep(time.Second)
	}
	escalatedAfter := time.Since(lastWindow)
	rssEnd, cpuEnd := worker.Usage()
	<-profiled
	b.ReportMetric(filed.Seconds(), "filing-s")
	b.ReportMetric(float64(rss0)/(1<<20), "worker-rss-idle-MiB")
	b.ReportMetric(float64(rssOpen)/(1<<20), "worker-rss-10k-open-MiB")
	b.ReportMetric(float64(rssEnd)/(1<<20), "worker-rss-after-escalation-MiB")
	b.ReportMetric((cpuOpen - cpu0).Seconds(), "worker-cpu-filing-s")
	b.ReportMetric((cpuEnd - cpuOpen).Seconds(), "worker-cpu-escalating-s")
	b.ReportMetric(escalatedAfter.Seconds(), "last-escalation-after-last-window-s")
}

// saveCPUProfile takes a CPU profile of length from a process's
// /debug/pprof/ (REDRESS_PPROF_ADDR) into file.
func saveCPUProfile(base string, length time.Duration, file string) error {
	resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, int(length.Seconds())))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", base, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
