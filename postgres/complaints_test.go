package postgres_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

func newCustomer(t *testing.T, db *postgres.DB, tier redress.Tier) *redress.Customer {
	t.Helper()
	externalID := uuid.NewString()
	c, _, err := db.UpsertCustomer(context.Background(), redress.Customer{
		ExternalID: externalID, Name: "Li Wei", Email: externalID + "@example.com", Tier: tier}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newFiling is a complaint for a known customer, filed at the given time.
func newFiling(customerID string, at time.Time) postgres.Filing {
	id := uuid.Must(uuid.NewV7()).String()
	due := at.Add(24 * time.Hour)
	c := redress.Complaint{ID: id, CustomerID: customerID, Category: redress.CategoryDelivery,
		Severity: redress.SeverityMedium, Channel: redress.ChannelWeb, Subject: "Late parcel",
		Description: "It never came", CreatedAt: at,
		State: redress.State{Status: redress.StatusReceived, Priority: redress.P3, AckDueAt: &due}}
	hash := sha256.Sum256([]byte(id))
	return postgres.Filing{Complaint: c, TrackingTokenHash: hash[:],
		Received:      redress.TimelineEntry{At: at, Actor: "web", Kind: "received", Public: true, Detail: "received"},
		ReceivedEvent: redress.Event{ID: id + "-1", Type: redress.EventReceived, OccurredAt: at, ComplaintID: id, CustomerID: customerID}}
}

// intakeOf is the intake of a filing for its known customer.
func intakeOf(f postgres.Filing) postgres.Intake {
	return postgres.Intake{Customer: redress.Customer{ID: f.Complaint.CustomerID},
		Build: func(*redress.Customer, []redress.DuplicateCandidate) postgres.Filing { return f }}
}

// file stores a filing and returns the complaint's id.
func file(t *testing.T, db *postgres.DB, f postgres.Filing) string {
	t.Helper()
	filed, err := db.CreateComplaint(context.Background(), intakeOf(f))
	if err != nil {
		t.Fatal(err)
	}
	return filed.ComplaintID
}

func TestCreateAndReadComplaint(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierGold)
	at := time.Now().UTC().Truncate(time.Microsecond)
	f := newFiling(cust.ID, at)
	filed, err := db.CreateComplaint(ctx, intakeOf(f))
	if err != nil || !filed.Created || filed.ComplaintID != f.Complaint.ID || filed.Customer.ID != cust.ID {
		t.Fatalf("CreateComplaint = %+v, %v", filed, err)
	}
	id := filed.ComplaintID
	got, err := db.Complaint(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Late parcel" || got.Status != redress.StatusReceived || !got.CreatedAt.Equal(at) ||
		got.AckDueAt == nil || !got.AckDueAt.Equal(at.Add(24*time.Hour)) || got.CustomerID != cust.ID {
		t.Errorf("read back %+v", got)
	}
	if len(got.Timeline) != 1 || got.Timeline[0].Kind != "received" {
		t.Errorf("timeline = %+v", got.Timeline)
	}
	if byToken, err := db.ComplaintIDByTrackingToken(ctx, f.TrackingTokenHash); err != nil || byToken != id {
		t.Errorf("by token = %q, %v", byToken, err)
	}
	if _, err := db.Complaint(ctx, uuid.NewString()); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := db.Complaint(ctx, "not-a-uuid"); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("malformed id: %v", err)
	}
}

func TestIdempotencyKey(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierStandard)
	keyed := func(caller, hash string) (postgres.Intake, postgres.Filing) {
		f := newFiling(cust.ID, time.Now())
		in := intakeOf(f)
		in.Caller, in.IdempotencyKey, in.RequestHash = caller, "key-1", []byte(hash)
		return in, f
	}
	first, _ := keyed("intake-a", "hash-a")
	filed, err := db.CreateComplaint(ctx, first)
	if err != nil || !filed.Created {
		t.Fatal(filed, err)
	}
	id := filed.ComplaintID

	retry, retryFiling := keyed("intake-a", "hash-a")
	again, err := db.CreateComplaint(ctx, retry)
	if err != nil || again.Created || again.ComplaintID != id || again.Customer.ID != cust.ID {
		t.Errorf("retry = %+v, %v; want the first complaint %q", again, err, id)
	}
	if _, err := db.Complaint(ctx, retryFiling.Complaint.ID); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("the retry stored a second complaint: %v", err)
	}

	other, _ := keyed("intake-a", "hash-b")
	if _, err := db.CreateComplaint(ctx, other); redress.ErrorCode(err) != redress.ECONFLICT {
		t.Errorf("same key, other body: %v, want a conflict", err)
	}

	otherCaller, _ := keyed("intake-b", "hash-b")
	if filed, err := db.CreateComplaint(ctx, otherCaller); err != nil || !filed.Created {
		t.Errorf("keys are per caller: %+v, %v", filed, err)
	}
}

func TestIdempotencyKeyUnderConcurrentRetries(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierStandard)
	const n = 16
	ids := make([]string, n)
	var created sync.Map
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := intakeOf(newFiling(cust.ID, time.Now()))
			in.Caller, in.IdempotencyKey, in.RequestHash = "intake", "same-key", []byte("same-body")
			filed, err := db.CreateComplaint(ctx, in)
			if err != nil {
				t.Error(err)
			}
			ids[i] = filed.ComplaintID
			if filed.Created {
				created.Store(i, filed.ComplaintID)
			}
		}()
	}
	wg.Wait()
	count := 0
	created.Range(func(_, _ any) bool { count++; return true })
	if count != 1 {
		t.Errorf("%d requests created a complaint, want exactly 1", count)
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("requests got different complaints: %v", ids)
		}
	}
	items, _, err := db.Complaints(ctx, postgres.ComplaintFilter{CustomerID: cust.ID, Limit: 100})
	if err != nil || len(items) != 1 {
		t.Errorf("stored %d complaints (%v), want 1", len(items), err)
	}
}

func TestApplyChangeIsIdempotentAndOrdered(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierStandard)
	id := file(t, db, newFiling(cust.ID, time.Now()))
	now := time.Now().UTC()
	ack := redress.Change{ComplaintID: id, CustomerID: cust.ID, Seq: 2,
		State:    redress.State{Status: redress.StatusAcknowledged, Priority: redress.P3, Assignee: "ana", AcknowledgedAt: &now},
		Timeline: []redress.TimelineEntry{{At: now, Actor: "ana", Kind: "acknowledged", Public: true, Detail: "ack"}},
		Events:   []redress.Event{{ID: id + "-2", Type: redress.EventAcknowledged, OccurredAt: now, ComplaintID: id}}}
	escalate := redress.Change{ComplaintID: id, CustomerID: cust.ID, Seq: 4,
		State: redress.State{Status: redress.StatusAcknowledged, Priority: redress.P3, Assignee: "ana", AcknowledgedAt: &now,
			EscalationLevel: 1, SLABreached: true},
		Timeline: []redress.TimelineEntry{
			{At: now, Actor: "system", Kind: "sla_breached", Detail: "breach"},
			{At: now, Actor: "system", Kind: "escalated", Public: true, Detail: "level 1"}}}
	for _, ch := range []redress.Change{ack, ack, escalate, ack} { // a retry, then a late one
		if err := db.ApplyChange(ctx, ch, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Complaint(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.EscalationLevel != 1 || !got.SLABreached || got.Status != redress.StatusAcknowledged || got.Assignee != "ana" {
		t.Errorf("state = %+v, want the newest change's", got.State)
	}
	var kinds []string
	for _, e := range got.Timeline {
		kinds = append(kinds, e.Kind)
	}
	if fmt.Sprint(kinds) != "[received acknowledged sla_breached escalated]" {
		t.Errorf("timeline kinds = %v", kinds)
	}
	events, err := db.Events(ctx, id)
	if err != nil || len(events) != 2 {
		t.Errorf("events = %v, %v; want the receipt and one acknowledgement", events, err)
	}
	missing := ack
	missing.ComplaintID = uuid.NewString()
	if err := db.ApplyChange(ctx, missing, nil); err == nil {
		t.Error("a change to an unknown complaint must fail")
	}
}

func TestMigrateTwice(t *testing.T) {
	db := redresstest.NewDB(t)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("a second migration run must be a no-op: %v", err)
	}
}

// With the rollups kept, intakes of one customer and three orders (each of
// which may rewrite the repeat facts of the complaint after it) and
// projections of resolutions (whose lines also write the outcomes) running
// side by side on one day's rollups never deadlock: every writer takes the
// complaints' row locks, then the day's lock.
func TestConcurrentWritesDoNotDeadlock(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	if err := db.RebuildAnalytics(ctx, postgres.Basis{Zone: time.UTC, RepeatWithin: 720 * time.Hour}, true, nil); err != nil {
		t.Fatal(err)
	}
	cust := newCustomer(t, db, redress.TierStandard)
	var writers sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		writers.Go(func() {
			for range 25 {
				at := time.Now().UTC().Truncate(time.Microsecond)
				f := newFiling(cust.ID, at)
				f.Complaint.OrderRef = fmt.Sprintf("order-%d", at.UnixMicro()%3)
				filed, err := db.CreateComplaint(ctx, intakeOf(f))
				if err != nil {
					errs <- err
					return
				}
				id := filed.ComplaintID
				due := at.Add(24 * time.Hour)
				resolve := redress.Change{ComplaintID: id, CustomerID: cust.ID, Seq: 3,
					State: redress.State{Status: redress.StatusResolved, Priority: redress.P3, Assignee: "ana",
						AcknowledgedAt: &at, ResolvedAt: &at, AckDueAt: &due,
						Resolution: &redress.Resolution{Type: "refund", Summary: "s", RootCause: "logistics"}},
					Timeline: []redress.TimelineEntry{
						{At: at, Actor: "ana", Kind: redress.KindResolved, Public: true, Detail: "Resolved"},
						{At: at, Actor: "ana", Kind: redress.KindRootCause, Detail: "Root cause: logistics"}}}
				if err := db.ApplyChange(ctx, resolve, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	writers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
