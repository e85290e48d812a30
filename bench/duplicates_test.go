package bench

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// BenchmarkIntakeDuplicateCheck is intake's throughput with the duplicate
// check and without it (duplicates.within: 0), in the same run on the dev
// stack: 16 clients file 1,600 complaints for 100 customers, each of whom
// soon has a dozen open complaints alike, the check's worst case.
func BenchmarkIntakeDuplicateCheck(b *testing.B) {
	for _, tt := range []struct{ name, policy string }{
		{"check=off", "duplicates: {within: 0s}\n"},
		{"check=on", ""},
	} {
		b.Run(tt.name, func(b *testing.B) {
			s := redresstest.StartStack(b, redresstest.StackOptions{Policy: tt.policy})
			run(b, 16, 1600, func(i int) error {
				r := s.Do("POST", "/v1/complaints", "dev-intake", map[string]any{
					"customer": map[string]any{"external_id": fmt.Sprintf("dup-%d", i%100), "email": fmt.Sprintf("dup-%d@example.com", i%100)},
					"channel":  "web", "subject": "Parcel never arrived",
					"description": fmt.Sprintf("The courier marked it delivered but nothing came. Order %d.", i),
				}, "Idempotency-Key", fmt.Sprintf("dup-%s-%d", tt.name, i))
				if r.Status != http.StatusCreated {
					return fmt.Errorf("%d %s", r.Status, r.Body)
				}
				return nil
			})
		})
	}
}

// BenchmarkDuplicateCheckAt1M times intake's transaction in a store of a
// million complaints, for the customers with the most open complaints,
// with the duplicate check and without it: what the check adds is the
// query of the customer's open complaints of the last week and the
// comparison of their texts.
func BenchmarkDuplicateCheckAt1M(b *testing.B) {
	ctx := context.Background()
	db, conn := seededDatabase(b, 1_000_000)
	rows, err := conn.Query(ctx, `SELECT customer_id::text FROM complaints
		WHERE status IN ('received', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened')
		GROUP BY 1 ORDER BY count(*) DESC LIMIT 100`)
	if err != nil {
		b.Fatal(err)
	}
	var busiest []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		busiest = append(busiest, id)
	}
	policy := redress.DefaultPolicy()
	for _, within := range []time.Duration{0, policy.Duplicates.Within.D()} {
		name := "check=on"
		if within == 0 {
			name = "check=off"
		}
		latencies := make([]time.Duration, 0, 400)
		flagged := 0
		for i := range 400 {
			f := benchFiling(busiest[i%len(busiest)])
			start := time.Now()
			_, err := db.CreateComplaint(ctx, postgres.Intake{Customer: redress.Customer{ID: f.Complaint.CustomerID}, DuplicatesWithin: within,
				Build: func(_ *redress.Customer, open []redress.DuplicateCandidate) postgres.Filing {
					f.Complaint.PossibleDuplicateOf = redress.PossibleDuplicate(f.Complaint.Subject, f.Complaint.Description, "", open, policy.Duplicates.Threshold)
					return f
				}})
			if err != nil {
				b.Fatal(err)
			}
			latencies = append(latencies, time.Since(start))
			if f.Complaint.PossibleDuplicateOf != "" {
				flagged++
			}
		}
		slices.Sort(latencies)
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, name+"-p99-ms")
		b.Logf("%s: %d of 400 flagged", name, flagged)
	}
}

// benchFiling is a new complaint of the customer, as intake builds it.
func benchFiling(customerID string) postgres.Filing {
	id := uuid.Must(uuid.NewV7()).String()
	now := time.Now().UTC().Truncate(time.Microsecond)
	due := now.Add(24 * time.Hour)
	hash := sha256.Sum256([]byte(id))
	return postgres.Filing{
		Complaint: redress.Complaint{ID: id, CustomerID: customerID, Category: redress.CategoryDelivery, Severity: redress.SeverityMedium,
			Channel: redress.ChannelWeb, Subject: "Parcel never arrived", Description: "The courier marked it delivered but nothing came.",
			CreatedAt: now, State: redress.State{Status: redress.StatusReceived, Priority: redress.P3, AckDueAt: &due}},
		TrackingTokenHash: hash[:],
		Received:          redress.TimelineEntry{At: now, Actor: "web", Kind: redress.KindReceived, Public: true, Detail: "received"},
		ReceivedEvent:     redress.Event{ID: id + "-1-" + redress.EventReceived, Type: redress.EventReceived, OccurredAt: now, ComplaintID: id, CustomerID: customerID},
	}
}
