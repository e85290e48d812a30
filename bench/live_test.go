package bench

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/redress-dev/redress/redresstest"
)

// BenchmarkLiveUpdate measures how long a change takes to reach a page that
// shows the complaint: from an agent's note sent over the API (a workflow
// Update, which writes it to PostgreSQL) until the console's live stream
// names the complaint, and until the page fetched again holds it.
func BenchmarkLiveUpdate(b *testing.B) {
	s := redresstest.StartStack(b, redresstest.StackOptions{})
	s.AddStaff("ana@example.com", "Ana", "agent", "correct horse battery")
	ana := s.SignIn("ana@example.com", "correct horse battery")
	events := ana.Events()
	r := s.Do("POST", "/v1/complaints", "dev-intake", map[string]any{
		"customer": map[string]any{"external_id": "live-bench", "name": "Li Wei", "email": "li@example.com"},
		"channel":  "web", "subject": "Parcel never arrived", "description": "Ordered two weeks ago"})
	var filed struct{ ID string }
	r.JSON(b, &filed)
	drain(events, 2*time.Second)

	notified := make([]time.Duration, b.N)
	shown := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		sent := time.Now()
		if r := s.Do("POST", "/v1/complaints/"+filed.ID+"/notes", "dev-agent", map[string]string{"message": "checked"}); r.Status != http.StatusOK {
			b.Fatalf("note: %d %s", r.Status, r.Body)
		}
		for id := range events {
			if id == filed.ID {
				break
			}
		}
		notified[i] = time.Since(sent)
		if p := ana.Get("/console/complaints/" + filed.ID); p.Status != http.StatusOK {
			b.Fatalf("complaint page: %d", p.Status)
		}
		shown[i] = time.Since(sent)
	}
	b.StopTimer()
	for _, m := range []struct {
		name string
		d    []time.Duration
	}{{"notified", notified}, {"shown", shown}} {
		slices.Sort(m.d)
		b.ReportMetric(float64(m.d[b.N/2].Microseconds())/1000, m.name+"-p50-ms")
		b.ReportMetric(float64(m.d[b.N*99/100].Microseconds())/1000, m.name+"-p99-ms")
	}
}

// drain empties the stream of what came before the measurement.
func drain(events <-chan string, quiet time.Duration) {
	for {
		select {
		case <-events:
		case <-time.After(quiet):
			return
		}
	}
}
