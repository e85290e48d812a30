package bench

import (
	"fmt"
	"io"
	"net/smtp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

// sendMail hands one mail to the stack's listener, as a sending server
// does; it returns once the listener answered 250, after the commit.
func sendMail(s *redresstest.Stack, i int, body string) error {
	raw := fmt.Sprintf("From: customer-%d@example.cn\r\nTo: complaints@%s\r\nSubject: Parcel %d never arrived\r\nMessage-ID: <bench-%d-%d@example.cn>\r\n\r\n%s",
		i%200, redresstest.InboundDomain, i, i, time.Now().UnixNano(), body)
	return smtp.SendMail(s.MailAddr, nil, fmt.Sprintf("customer-%d@example.cn", i%200),
		[]string{"complaints@" + redresstest.InboundDomain}, []byte(raw))
}

// BenchmarkInboundMail measures inbound mail to committed complaint: 600
// mails offered at 20 a second (each from its own connection, as sending
// servers do), the time from connecting to the 250, p50 and p99.
func BenchmarkInboundMail(b *testing.B) {
	s := redresstest.StartStack(b, redresstest.StackOptions{Mail: true})
	const mails, perSecond = 600, 20
	for range b.N {
		latencies := make([]time.Duration, mails)
		var failed atomic.Int64
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / perSecond)
		start := time.Now()
		for i := range mails {
			<-tick.C
			wg.Go(func() {
				t := time.Now()
				if err := sendMail(s, i, "The courier marked it delivered but nothing came.\r\n"); err != nil {
					failed.Add(1)
				}
				latencies[i] = time.Since(t)
			})
		}
		wg.Wait()
		tick.Stop()
		if failed.Load() > 0 {
			b.Fatalf("%d of %d mails were not taken", failed.Load(), mails)
		}
		slices.Sort(latencies)
		b.ReportMetric(float64(mails)/time.Since(start).Seconds(), "mails/s")
		b.ReportMetric(float64(latencies[mails/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[mails*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkInboundMailMemory sends 8 mails of almost 25 MiB at once, on 8
// connections, and reports how far the process's heap grew meanwhile: the
// listener spools each mail to disk and streams its attachment, so the
// growth stays far below 8 × 25 MiB.
func BenchmarkInboundMailMemory(b *testing.B) {
	s := redresstest.StartStack(b, redresstest.StackOptions{Mail: true})
	line := strings.Repeat("0123456789abcdef", 4) + "\r\n" // base64-like text, 66 bytes a line
	for range b.N {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
				}
			}
		}()
		var wg sync.WaitGroup
		var failed atomic.Int64
		for i := range 8 {
			wg.Go(func() {
				if err := streamMail(s, 1000+i, line, (24<<20)/len(line)); err != nil {
					failed.Add(1)
					b.Logf("mail %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		close(stop)
		if failed.Load() > 0 {
			b.Fatalf("%d of 8 large mails were not taken", failed.Load())
		}
		b.ReportMetric(float64(int64(peak.Load())-int64(before.HeapInuse))/(1<<20), "heap-growth-MiB")
	}
}

// streamMail sends a mail of lines copies of line without holding it: the
// sender's memory stays out of the figure.
func streamMail(s *redresstest.Stack, i int, line string, lines int) error {
	c, err := smtp.Dial(s.MailAddr)
	if err != nil {
		return err
	}
	defer c.Close()
	from := fmt.Sprintf("customer-%d@example.cn", i)
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt("complaints@" + redresstest.InboundDomain); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "From: %s\r\nSubject: Photos %d\r\nMessage-ID: <big-%d-%d@example.cn>\r\n\r\n", from, i, i, time.Now().UnixNano())
	for range lines {
		if _, err := io.WriteString(w, line); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
