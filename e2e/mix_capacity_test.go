package e2e

import (
	"context"
	"flag"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

var (
	mixFor     = flag.Duration("mix.for", 4*time.Minute, "how long BenchmarkMixCapacity keeps its clients busy")
	mixClients = flag.Int("mix.clients", 16, "clients of BenchmarkMixCapacity, each running one script after another")
)

// BenchmarkMixCapacity measures what the production shape carries with every
// action in the mix: the soak's stack (startLoadShape), with clients that each start the
// next complaint's script as soon as the last one's ends, so the machine is
// never idle. Complaints whose scripts end each minute are reported, and the
// rate over all but the first minute is the capacity that `make soak` runs at
// half of. The workload's checks run afterwards: a busy stack must still lose
// nothing.
func BenchmarkMixCapacity(b *testing.B) {
	for range b.N {
		infra, shape, _ := startLoadShape(b, loadCache)

		w := newWorkload(b, shape.addrs, "mix", shape.hook)
		minutes := make([]atomic.Int64, int(*mixFor/time.Minute)+1)
		var next atomic.Int64
		began := time.Now()
		var clients sync.WaitGroup
		for range *mixClients {
			clients.Go(func() {
				for time.Since(began) < *mixFor {
					w.run(int(next.Add(1)-1), redresstest.ProcessIntakeKey, redresstest.ProcessAgentKey)
					if minute := int(time.Since(began) / time.Minute); minute < len(minutes) {
						minutes[minute].Add(1)
					}
				}
			})
		}
		clients.Wait()
		var perMinute []string
		var steady int64
		for minute := range minutes[:len(minutes)-1] {
			n := minutes[minute].Load()
			perMinute = append(perMinute, strconv.FormatInt(n, 10))
			if minute > 0 {
				steady += n
			}
		}
		rate := float64(steady) / (*mixFor - time.Minute).Seconds()
		b.Logf("%d clients; scripts ended per minute: %s; %.1f complaints a second after the first minute",
			*mixClients, strings.Join(perMinute, ", "), rate)
		b.ReportMetric(rate, "complaints/s")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		b.Log(w.verify(ctx, infra.Config.DatabaseURL, infra.Temporal, loadWindow))
		cancel()
	}
}
