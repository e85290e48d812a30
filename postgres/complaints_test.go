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
	c, _, err := db.UpsertCustomer(context.Background(), redress.Customer{
		ExternalID: uuid.NewString(), Name: "Li Wei", Email: "li@example.com", Tier: tier})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newIntake(customerID string, at time.Time) postgres.Intake {
	id := uuid.Must(uuid.NewV7()).String()
	due := at.Add(24 * time.Hour)
	c := redress.Complaint{ID: id, CustomerID: customerID, Category: redress.CategoryDelivery,
		Severity: redress.SeverityMedium, Channel: redress.ChannelWeb, Subject: "Late parcel",
		Description: "It never came", CreatedAt: at,
		State: redress.State{Status: redress.StatusReceived, Priority: redress.P3, AckDueAt: &due}}
	hash := sha256.Sum256([]byte(id))
	return postgres.Intake{Complaint: c, TrackingTokenHash: hash[:],
		Received:      redress.TimelineEntry{At: at, Actor: "web", Kind: "received", Public: true, Detail: "received"},
		ReceivedEvent: redress.Event{ID: id + "-1", Type: redress.EventReceived, OccurredAt: at, ComplaintID: id, CustomerID: customerID}}
}

func TestCreateAndReadComplaint(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierGold)
	at := time.Now().UTC().Truncate(time.Microsecond)
	in := newIntake(cust.ID, at)
	id, created, err := db.CreateComplaint(ctx, in)
	if err != nil || !created || id != in.Complaint.ID {
		t.Fatalf("CreateComplaint = %q, %v, %v", id, created, err)
	}
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
	if byToken, err := db.ComplaintIDByTrackingToken(ctx, in.TrackingTokenHash); err != nil || byToken != id {
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
	first := newIntake(cust.ID, time.Now())
	first.Caller, first.IdempotencyKey, first.RequestHash = "intake-a", "key-1", []byte("hash-a")
	id, created, err := db.CreateComplaint(ctx, first)
	if err != nil || !created {
		t.Fatal(created, err)
	}

	retry := newIntake(cust.ID, time.Now())
	retry.Caller, retry.IdempotencyKey, retry.RequestHash = "intake-a", "key-1", []byte("hash-a")
	again, created, err := db.CreateComplaint(ctx, retry)
	if err != nil || created || again != id {
		t.Errorf("retry = %q, %v, %v; want the first complaint %q", again, created, err, id)
	}
	if _, err := db.Complaint(ctx, retry.Complaint.ID); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("the retry stored a second complaint: %v", err)
	}

	other := newIntake(cust.ID, time.Now())
	other.Caller, other.IdempotencyKey, other.RequestHash = "intake-a", "key-1", []byte("hash-b")
	if _, _, err := db.CreateComplaint(ctx, other); redress.ErrorCode(err) != redress.ECONFLICT {
		t.Errorf("same key, other body: %v, want a conflict", err)
	}

	otherCaller := newIntake(cust.ID, time.Now())
	otherCaller.Caller, otherCaller.IdempotencyKey, otherCaller.RequestHash = "intake-b", "key-1", []byte("hash-b")
	if _, created, err := db.CreateComplaint(ctx, otherCaller); err != nil || !created {
		t.Errorf("keys are per caller: %v, %v", created, err)
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
			in := newIntake(cust.ID, time.Now())
			in.Caller, in.IdempotencyKey, in.RequestHash = "intake", "same-key", []byte("same-body")
			id, c, err := db.CreateComplaint(ctx, in)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
			if c {
				created.Store(i, id)
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
	in := newIntake(cust.ID, time.Now())
	id, _, err := db.CreateComplaint(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
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

func TestUpsertCustomer(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	c, created, err := db.UpsertCustomer(ctx, redress.Customer{ExternalID: "crm-1", Name: "A", Email: "a@x.cn"})
	if err != nil || !created || c.Tier != redress.TierStandard {
		t.Fatalf("create: %+v %v %v", c, created, err)
	}
	again, created, err := db.UpsertCustomer(ctx, redress.Customer{ExternalID: "crm-1", Phone: "+86 10 1234", Tier: redress.TierGold})
	if err != nil || created || again.ID != c.ID {
		t.Fatalf("match: %+v %v %v", again, created, err)
	}
	if again.Name != "A" || again.Email != "a@x.cn" || again.Phone != "+86 10 1234" || again.Tier != redress.TierGold {
		t.Errorf("matched customer = %+v: given fields update, missing ones stay", again)
	}
	kept, _, _ := db.UpsertCustomer(ctx, redress.Customer{ExternalID: "crm-1"})
	if kept.Tier != redress.TierGold {
		t.Errorf("an omitted tier changed the tier to %s", kept.Tier)
	}
	anon1, _, _ := db.UpsertCustomer(ctx, redress.Customer{Name: "No id"})
	anon2, _, _ := db.UpsertCustomer(ctx, redress.Customer{Name: "No id"})
	if anon1.ID == anon2.ID {
		t.Error("customers without an external id must not be merged")
	}
	if got, err := db.Customer(ctx, c.ID); err != nil || got.ExternalID != "crm-1" {
		t.Errorf("Customer = %+v, %v", got, err)
	}
	if _, err := db.Customer(ctx, "nope"); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("unknown customer: %v", err)
	}
}

func TestMigrateTwice(t *testing.T) {
	db := redresstest.NewDB(t)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("a second migration run must be a no-op: %v", err)
	}
}
