package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// stored is a complaint as a queue test wrote it, with its customer.
type stored struct {
	redress.Complaint
	customer *redress.Customer
}

// nextDue is the reference for the queue order: the earliest running
// deadline, none sorting last.
func (s stored) nextDue() (time.Time, bool) {
	var due []time.Time
	for _, t := range []*time.Time{s.AckDueAt, s.ResolveDueAt} {
		if t != nil {
			due = append(due, *t)
		}
	}
	if len(due) == 0 {
		return time.Time{}, false
	}
	return slices.MinFunc(due, time.Time.Compare), true
}

// queueOrder compares by next deadline, then id, as PostgreSQL orders
// uuids (bytewise, which is the order of their lower-case text).
func queueOrder(a, b stored) int {
	da, oka := a.nextDue()
	db, okb := b.nextDue()
	switch {
	case oka && okb && !da.Equal(db):
		return da.Compare(db)
	case oka != okb:
		if oka {
			return -1
		}
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

// inQueue is the reference for which complaints a query selects.
func inQueue(s stored, q postgres.QueueQuery) bool {
	if !s.Status.Open() {
		return false
	}
	member := map[string]bool{
		postgres.QueueMine:       s.Assignee == q.Assignee,
		postgres.QueueUnassigned: s.Assignee == "",
		postgres.QueueEscalated:  s.EscalationLevel > 0,
		postgres.QueueWaiting:    s.Status == redress.StatusWaitingOnCustomer,
		postgres.QueueOpen:       true,
	}
	row := redress.SLARowOf(s.SLARow, s.Priority)
	if _, known := q.BreachingBy[row]; !known {
		row = "sla." + string(s.Priority) // a row without a horizon counts as the sla table's
	}
	if h, ok := q.BreachingBy[row]; ok {
		member[postgres.QueueBreaching] = s.AckDueAt != nil && !s.AckDueAt.After(h.Ack) ||
			s.ResolveDueAt != nil && !s.ResolveDueAt.After(h.Resolve)
	}
	return member[q.Queue] &&
		(q.Priority == "" || s.Priority == q.Priority) &&
		(q.Category == "" || s.Category == q.Category) &&
		(q.Channel == "" || s.Channel == q.Channel) &&
		(q.Tier == "" || s.customer.Tier == q.Tier) &&
		(q.Level == nil || s.EscalationLevel == *q.Level)
}

// readQueue follows a queue's pages to the end.
func readQueue(t *testing.T, db *postgres.DB, q postgres.QueueQuery) []postgres.QueueItem {
	t.Helper()
	var all []postgres.QueueItem
	for pages := 0; ; pages++ {
		items, next, err := db.Queue(context.Background(), q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		if next != "" && len(items) != q.Limit {
			t.Fatalf("%+v: a page of %d items before the last", q, len(items))
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if pages > 1000 {
			t.Fatal("the pages do not end")
		}
		q.Cursor = next
	}
}

// fileStored files a complaint in the given state, pausing its resolution
// clock through the workflow's projection as the workflow does.
func fileStored(t *testing.T, db *postgres.DB, s *stored) {
	t.Helper()
	f := newFiling(s.customer.ID, s.CreatedAt)
	state := s.State
	f.Complaint = s.Complaint
	f.ReceivedEvent.ID, f.ReceivedEvent.ComplaintID = s.ID+"-1", s.ID
	f.Complaint.ResolvePausedAt, f.Complaint.ResolveLeftSeconds = nil, 0
	file(t, db, f)
	if s.ResolvePausedAt != nil {
		ch := redress.Change{ComplaintID: s.ID, CustomerID: s.customer.ID, Seq: 2, State: state}
		if err := db.ApplyChange(context.Background(), ch, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// fileRandomComplaints files n complaints of random states, for random
// customers of every tier, assigned to one of agents. Their deadlines come
// from a few instants around base, so that ties are common and the queue
// order falls back on the id.
func fileRandomComplaints(t *testing.T, db *postgres.DB, rng *rand.Rand, base time.Time, agents []string, n int) []stored {
	t.Helper()
	var customers []*redress.Customer
	for i, tier := range redress.Tiers {
		c, _, err := db.UpsertCustomer(context.Background(), redress.Customer{ExternalID: uuid.NewString(),
			Name: fmt.Sprintf("Customer %d", i), Tier: tier}, "test")
		if err != nil {
			t.Fatal(err)
		}
		customers = append(customers, c)
	}
	pick := func(n int) int { return rng.IntN(n) }
	deadline := func() *time.Time {
		if pick(4) == 0 {
			return nil
		}
		t := base.Add(time.Duration(pick(12)) * 90 * time.Minute)
		return &t
	}
	var all []stored
	for range n {
		s := stored{customer: customers[pick(len(customers))]}
		s.ID = uuid.NewString()
		s.CustomerID = s.customer.ID
		s.Category = redress.Categories[pick(len(redress.Categories))]
		s.Channel = redress.Channels[pick(len(redress.Channels))]
		s.Severity = redress.Severities[pick(len(redress.Severities))]
		s.Subject, s.Description = "Subject "+s.ID[:8], "Description"
		s.CreatedAt = base.Add(-time.Duration(pick(5000)) * time.Minute)
		s.Status = redress.Statuses[pick(len(redress.Statuses))]
		s.Priority = redress.Priorities[pick(len(redress.Priorities))]
		s.SLARow = []string{"", "sla." + string(s.Priority), "sla_by_tier.gold." + string(s.Priority), "sla_by_tier.diamond." + string(s.Priority)}[pick(4)]
		s.EscalationLevel = pick(redress.MaxEscalationLevel + 1)
		s.Assignee = agents[pick(len(agents))]
		s.AckDueAt, s.ResolveDueAt = deadline(), deadline()
		if s.Status == redress.StatusWaitingOnCustomer && pick(3) > 0 {
			paused := base.Add(-time.Hour)
			s.ResolveDueAt, s.ResolvePausedAt, s.ResolveLeftSeconds = nil, &paused, 3600
		}
		fileStored(t, db, &s)
		all = append(all, s)
	}
	return all
}

func TestQueuesMatchTheReference(t *testing.T) {
	db := redresstest.NewDB(t)
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	agents := []string{"ana@example.com", "bo@example.com", ""}
	all := fileRandomComplaints(t, db, rng, base, agents, 180)
	pick := func(n int) int { return rng.IntN(n) }

	horizon := func() map[string]redress.Horizon {
		by := map[string]redress.Horizon{}
		for _, p := range redress.Priorities {
			// The sla table's rows and a gold row; diamond rows have none,
			// as a tier's row the policy dropped.
			for _, row := range []string{"sla." + string(p), "sla_by_tier.gold." + string(p)} {
				by[row] = redress.Horizon{Ack: base.Add(time.Duration(pick(10)) * time.Hour),
					Resolve: base.Add(time.Duration(pick(10)) * time.Hour)}
			}
		}
		return by
	}
	var queries []postgres.QueueQuery
	for _, name := range postgres.Queues {
		queries = append(queries, postgres.QueueQuery{Queue: name, Assignee: agents[0], BreachingBy: horizon()})
	}
	for range 40 {
		q := postgres.QueueQuery{Queue: postgres.Queues[pick(len(postgres.Queues))], Assignee: agents[pick(2)], BreachingBy: horizon()}
		switch pick(6) {
		case 0:
			q.Priority = redress.Priorities[pick(len(redress.Priorities))]
		case 1:
			q.Category = redress.Categories[pick(len(redress.Categories))]
		case 2:
			q.Channel = redress.Channels[pick(len(redress.Channels))]
		case 3:
			q.Tier = redress.Tiers[pick(len(redress.Tiers))]
		case 4:
			level := pick(redress.MaxEscalationLevel + 1)
			q.Level = &level
		}
		queries = append(queries, q)
	}

	byID := map[string]stored{}
	for _, s := range all {
		byID[s.ID] = s
	}
	for _, q := range queries {
		q.Limit = 1 + pick(9)
		var want []string
		for _, s := range slices.SortedFunc(slices.Values(all), queueOrder) {
			if inQueue(s, q) {
				want = append(want, s.ID)
			}
		}
		var got []string
		for _, it := range readQueue(t, db, q) {
			got = append(got, it.ID)
			s := byID[it.ID]
			if it.Status != s.Status || it.Priority != s.Priority || it.Assignee != s.Assignee ||
				it.EscalationLevel != s.EscalationLevel || it.CustomerName != s.customer.Name || it.Tier != s.customer.Tier ||
				!sameTime(it.AckDueAt, s.AckDueAt) || !sameTime(it.ResolveDueAt, s.ResolveDueAt) ||
				!sameTime(it.ResolvePausedAt, s.ResolvePausedAt) || !it.CreatedAt.Equal(s.CreatedAt) {
				t.Errorf("item %+v differs from the stored complaint %+v", it, s)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v:\n got %v\nwant %v", q, got, want)
		}
	}
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

func TestQueueSearch(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	customer := func(name, email string) *redress.Customer {
		c, _, err := db.UpsertCustomer(ctx, redress.Customer{ExternalID: uuid.NewString(), Name: name, Email: email,
			Tier: redress.TierSilver}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	zhang := customer("Zhang Minghua", "minghua@example.cn")
	wang := customer("Wang Fang", "wang.fang@example.org")
	li := customer("李娜", "lina@example.com")
	at := time.Now().UTC().Truncate(time.Second)
	complaint := func(cu *redress.Customer, subject, description, orderRef string, status redress.Status) string {
		f := newFiling(cu.ID, at)
		f.Complaint.Subject, f.Complaint.Description, f.Complaint.OrderRef = subject, description, orderRef
		f.Complaint.Status = status
		return file(t, db, f)
	}
	cracked := complaint(zhang, "Screen cracked on arrival", "Box was fine", "ORD-2026-0042", redress.StatusReceived)
	hinge := complaint(zhang, "Laptop fault", "The hinge squeaks when opened", "", redress.StatusInProgress)
	chinese := complaint(wang, "屏幕碎了", "快递员态度很差", "", redress.StatusAcknowledged)
	percent := complaint(wang, "Label says 100% cotton", "It is not", "", redress.StatusReceived)
	thousand := complaint(wang, "Ordered 1000 units", "Got 10", "", redress.StatusReceived)
	underscore := complaint(wang, "Wrong code a_b on the invoice", "", "", redress.StatusReceived)
	axb := complaint(wang, "Wrong code axb on the invoice", "", "", redress.StatusReceived)
	complaint(zhang, "Screen cracked again", "", "ORD-2026-0042", redress.StatusClosed)
	// Every gram of "abcd" is in these texts, which do not hold it: the
	// index offers them, the opened texts turn them down, and the pages go
	// on past them.
	zhou := customer("Zhou Qi", "zq@example.net")
	for range 4 {
		complaint(zhou, "Model abcxbcd", "abc then bcd", "", redress.StatusReceived)
	}
	abcd := complaint(zhou, "Model abcd", "", "", redress.StatusReceived)
	refund := complaint(li, "Refund missing", "", "", redress.StatusWaitingOnCustomer)

	for _, c := range []struct {
		term string
		want []string
	}{
		{"CRACKED", []string{cracked}},
		{"hinge squeaks", []string{hinge}},
		{"2026-0042", []string{cracked}},
		{"minghua", []string{cracked, hinge}},
		{"wang.fang@example", []string{chinese, percent, thousand, underscore, axb}},
		{"屏幕", []string{chinese}},
		{"态度", []string{chinese}},
		{"李娜", []string{refund}},
		{"lina@", []string{refund}},
		{"Fang", []string{chinese, percent, thousand, underscore, axb}},
		{"100%", []string{percent}},
		{"a_b", []string{underscore}},
		{"态", []string{chinese}},
		{"nothing like this", nil},
		{"abcd", []string{abcd}},
	} {
		var got []string
		for _, it := range readQueue(t, db, postgres.QueueQuery{Queue: postgres.QueueOpen, Search: c.term, Limit: 3}) {
			got = append(got, it.ID)
		}
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("search %q found %v, want %v", c.term, got, c.want)
		}
	}
	for _, short := range []string{"Fa", "tv", " a "} {
		_, _, err := db.Queue(ctx, postgres.QueueQuery{Queue: postgres.QueueOpen, Search: short})
		var e *redress.Error
		if !errors.As(err, &e) || e.Code != redress.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "search" {
			t.Errorf("search %q: %v, want EINVALID naming the search", short, err)
		}
	}
}

func TestQueueRefusesWhatItDidNotHandOut(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	for _, bad := range []string{"not-base64!", "e30", "eyJpIjoieCJ9"} { // "{}", {"i":"x"}
		_, _, err := db.Queue(ctx, postgres.QueueQuery{Queue: postgres.QueueOpen, Cursor: bad})
		var e *redress.Error
		if redress.ErrorCode(err) != redress.EINVALID || !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
			t.Errorf("cursor %q: %v, want EINVALID naming the cursor", bad, err)
		}
	}
	if _, _, err := db.Queue(ctx, postgres.QueueQuery{Queue: "everything"}); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("an unknown queue: %v, want ENOTFOUND", err)
	}
}
