package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// court plays a win-back for the customer as the workflow writes it: offered
// with its events at start and, unless it still runs, lost at end.
// complaintID is empty for a campaign's. It returns the run's id.
func court(t *testing.T, db *postgres.DB, cu *redress.Customer, complaintID string, start time.Time, end *time.Time) string {
	t.Helper()
	run := uuid.NewString()
	event := func(typ string, at time.Time, data map[string]any) redress.Event {
		return redress.Event{ID: redress.WinbackEventID(cu.ID, run, typ), Type: typ, OccurredAt: at,
			ComplaintID: complaintID, CustomerID: cu.ID, Data: data}
	}
	ch := redress.WinbackChange{ComplaintID: complaintID, CustomerID: cu.ID, RunID: run, Reason: "churn score 9",
		StartedAt: start, At: start, Seq: 100001, Winback: redress.Winback{Status: redress.WinbackOffered, Offer: "10% coupon"},
		Timeline: []redress.TimelineEntry{{At: start, Actor: "system", Kind: "winback_offered"}},
		Events: []redress.Event{event(redress.EventWinbackOffered, start, map[string]any{"offer": "10% coupon"}),
			event(redress.EventWinbackFollowUp, start, map[string]any{"offer": "10% coupon", "reason": "churn score 9"})}}
	if err := db.ApplyWinback(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	if end != nil {
		ch.At, ch.Seq, ch.Winback.Status, ch.Winback.Outcome = *end, 100002, redress.WinbackFinished, redress.WinbackLost
		ch.Timeline = []redress.TimelineEntry{{At: *end, Actor: "system", Kind: "winback_lost"}}
		ch.Events = []redress.Event{event(redress.EventWinbackLost, *end, map[string]any{"offer": "10% coupon"})}
		if err := db.ApplyWinback(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

func TestWinbackRecords(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	cu := newCustomer(t, db, redress.TierGold)
	complaintID := file(t, db, newFiling(cu.ID, time.Now()))
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	end := start.Add(720 * time.Hour)
	lost := court(t, db, cu, complaintID, start, &end)
	running := court(t, db, cu, "", start.Add(1000*time.Hour), nil)

	c, err := db.Complaint(ctx, complaintID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Winback != (redress.Winback{Status: redress.WinbackFinished, Offer: "10% coupon", Outcome: redress.WinbackLost}) {
		t.Errorf("the complaint's win-back = %+v", c.Winback)
	}
	// A late retry of the first step does not take the finished run back.
	if err := db.ApplyWinback(ctx, redress.WinbackChange{ComplaintID: complaintID, CustomerID: cu.ID, RunID: lost,
		Reason: "churn score 9", StartedAt: start, At: start, Seq: 100001,
		Winback: redress.Winback{Status: redress.WinbackOffered, Offer: "10% coupon"}}); err != nil {
		t.Fatal(err)
	}

	got, err := db.Winbacks(ctx, cu.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []redress.WinbackRecord{
		{RunID: running, Reason: "churn score 9", Offer: "10% coupon", Status: redress.WinbackOffered, StartedAt: start.Add(1000 * time.Hour)},
		{RunID: lost, ComplaintID: &complaintID, Reason: "churn score 9", Offer: "10% coupon", Status: redress.WinbackFinished,
			Outcome: redress.WinbackLost, StartedAt: start, FinishedAt: &end},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("win-backs =\n%+v\nwant\n%+v", got, want)
	}
	if none, err := db.Winbacks(ctx, newCustomer(t, db, redress.TierStandard).ID); err != nil || none == nil || len(none) != 0 {
		t.Errorf("a customer never courted: %v, %v", none, err)
	}
}

// Win-backs begun before the winbacks table are rebuilt from their outbox
// events by its migration, as ApplyWinback would have written them.
func TestWinbacksMigrationRebuildsFromTheOutbox(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	ctx := context.Background()
	db := redresstest.OpenDB(t, url)
	cu := newCustomer(t, db, redress.TierSilver)
	complaintID := file(t, db, newFiling(cu.ID, time.Now()))
	start := time.Now().Add(-50 * 24 * time.Hour).Truncate(time.Microsecond)
	end := start.Add(30 * 24 * time.Hour)
	court(t, db, cu, complaintID, start, &end)
	court(t, db, cu, "", start.Add(40*24*time.Hour), nil)
	want, err := db.Winbacks(ctx, cu.ID)
	if err != nil || len(want) != 2 {
		t.Fatalf("win-backs = %v, %v", want, err)
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The events as the outbox kept them before encryption at rest
	// (migration 0033): in clear, which is how migration 0005 read them.
	if _, err := conn.Exec(ctx, `UPDATE outbox SET data = CASE WHEN type = 'winback.follow_up'
			THEN '{"offer": "10% coupon", "reason": "churn score 9"}'::jsonb ELSE '{"offer": "10% coupon"}'::jsonb END
		WHERE type LIKE 'winback.%'`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DROP TABLE winbacks CASCADE; DELETE FROM schema_migrations WHERE version = 5`); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := db.Winbacks(ctx, cu.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rebuilt =\n%+v\nwant\n%+v", got, want)
	}
}
