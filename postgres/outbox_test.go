package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

func TestOutboxLeasesEachMessageToOneDispatcher(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cust := newCustomer(t, db, redress.TierStandard)
	file(t, db, newFiling(cust.ID, time.Now()))
	claim := func(lease time.Duration) *postgres.Message {
		t.Helper()
		m, err := db.ClaimMessage(ctx, lease)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	holds := func(m *postgres.Message) bool {
		t.Helper()
		held, err := db.RenewLease(ctx, m, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return held
	}
	due := time.Now().Add(-time.Second)

	first := claim(time.Minute)
	if first == nil || first.Type != redress.EventReceived || first.Attempts != 1 || first.Lease == "" {
		t.Fatalf("claim = %+v", first)
	}
	if again := claim(time.Minute); again != nil {
		t.Errorf("a leased message was claimed again: %+v", again)
	}
	if !holds(first) {
		t.Error("the holder could not renew its lease")
	}
	if err := db.MarkFailed(ctx, first, context.DeadlineExceeded, due); err != nil {
		t.Fatal(err)
	}
	retried := claim(time.Minute)
	if retried == nil || retried.Attempts != 2 || retried.Lease == first.Lease {
		t.Fatalf("retry claim = %+v", retried)
	}
	if holds(first) {
		t.Error("a former holder renewed a lease that is another's")
	}
	if err := db.MarkFailed(ctx, first, context.Canceled, due); err != nil {
		t.Fatal(err)
	}
	if stolen := claim(time.Minute); stolen != nil {
		t.Errorf("a former holder's failure released a message another holds: %+v", stolen)
	}

	// A dispatcher that dies holding a message loses it when the lease ends.
	if err := db.MarkFailed(ctx, retried, context.DeadlineExceeded, due); err != nil {
		t.Fatal(err)
	}
	dead := claim(10 * time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	takeover := claim(time.Minute)
	if dead == nil || takeover == nil {
		t.Fatalf("claims = %+v, then %+v; want the message taken over when its lease ended", dead, takeover)
	}
	if holds(dead) {
		t.Error("the dead dispatcher renewed after the takeover")
	}
	if err := db.MarkDelivered(ctx, dead); err != nil {
		t.Fatal(err)
	}
	if !holds(takeover) {
		t.Error("a former holder finished the message under the new holder's lease")
	}
	if err := db.MarkDelivered(ctx, takeover); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, takeover, context.Canceled, due); err != nil {
		t.Fatal(err)
	}
	if after := claim(time.Minute); after != nil {
		t.Errorf("a delivered message was claimed: %+v", after)
	}
}
