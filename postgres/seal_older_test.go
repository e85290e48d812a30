package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/crypt"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// keyring builds a REDRESS_DATA_KEYS keyring from "id:base64" entries.
func keyring(t *testing.T, keys string) *crypt.Keyring {
	t.Helper()
	parsed, err := crypt.ParseKeys("REDRESS_DATA_KEYS", keys)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := crypt.NewKeyring(parsed...)
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

// Rows written before encryption at rest, in clear, are sealed by the job
// while they stay readable and findable throughout; a second pass finds
// nothing; a new key-encryption key re-wraps every data key, after which
// the old one can go.
func TestOlderRowsAreSealedAndKeysRotated(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	db := redresstest.OpenDB(t, url)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// What an older version wrote: a customer with clear details and clear
	// match keys and no data key; a complaint, its line, its event, a
	// change record, a note and a file name, all clear.
	cu, _, err := db.UpsertCustomer(ctx, redress.Customer{Name: "x", Email: "x@example.com"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	f := newFiling(cu.ID, time.Now())
	f.Complaint.Subject, f.Complaint.Description = "Kettle leaks", "Water all over Lena's kitchen table"
	id := file(t, db, f)
	if _, err := db.AddCustomerNote(ctx, cu.ID, "user:ana@example.com", "x"); err != nil {
		t.Fatal(err)
	}
	a := attachmentOf(id, "x.txt", "photo")
	if _, err := db.AddAttachment(ctx, a, 10); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE customers SET name = 'Lena Petrova', email = 'Lena.Petrova@example.com', phone = '+7 915 000-11-22',
			email_key = 'lena.petrova@example.com', phone_key = '+79150001122', email_hash = NULL, search_grams = NULL`,
		`DELETE FROM customer_keys`,
		`UPDATE complaints SET subject = 'Kettle leaks', description = 'Water all over Lena''s kitchen table',
			survey = '{"status": "answered", "score": 2, "comment": "Lena is unhappy"}', search_grams = NULL`,
		`UPDATE timeline SET detail = 'received from Lena'`,
		`UPDATE outbox SET data = '{"customer_name": "Lena Petrova"}'`,
		`UPDATE customer_changes SET fields = '{"name": {"from": "", "to": "Lena Petrova"}}'`,
		`UPDATE customer_notes SET note = 'Lena prefers calls'`,
		`UPDATE attachments SET filename = 'lena-kitchen.jpg', filename_hash = NULL`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	// A process started on the older rows: none of their keys in its cache.
	db = redresstest.OpenDB(t, url)
	clear := []string{"Petrova", "petrova", "000-11-22", "79150001122", "Kettle leaks", "kitchen table", "prefers calls", "lena-kitchen", "unhappy"}
	read := func(db *postgres.DB) string {
		t.Helper()
		c, err := db.Complaint(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Customer(ctx, cu.ID)
		if err != nil {
			t.Fatal(err)
		}
		changes, err := db.CustomerChanges(ctx, cu.ID)
		if err != nil {
			t.Fatal(err)
		}
		notes, err := db.CustomerNotes(ctx, cu.ID)
		if err != nil {
			t.Fatal(err)
		}
		events, err := db.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join([]string{got.Name, got.Email, got.Phone, c.Subject, c.Description, c.Survey.Comment,
			c.Timeline[0].Detail, c.Attachments[0].Filename, changes[0].Fields["name"].To, notes[0].Note,
			events[0].Data["customer_name"].(string)}, "|")
	}
	want := "Lena Petrova|Lena.Petrova@example.com|+7 915 000-11-22|Kettle leaks|Water all over Lena's kitchen table|" +
		"Lena is unhappy|received from Lena|lena-kitchen.jpg|Lena Petrova|Lena prefers calls|Lena Petrova"
	if got := read(db); got != want {
		t.Fatalf("before sealing:\n got %s\nwant %s", got, want)
	}
	// Intake finds the older customer by its clear keys meanwhile.
	same, created, err := db.UpsertCustomer(ctx, redress.Customer{Email: " LENA.petrova@example.com"}, "test")
	if err != nil || created || same.ID != cu.ID {
		t.Fatalf("the older customer by e-mail: %v, created %v, %v", same, created, err)
	}

	report, err := db.SealOlderRows(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if report.Customers != 1 || report.Complaints != 1 || report.Lines < 1 || report.Events < 1 || report.Changes < 1 ||
		report.Notes != 1 || report.Files != 1 {
		t.Errorf("report: %s", report)
	}
	if got := read(db); got != want {
		t.Errorf("after sealing:\n got %s\nwant %s", got, want)
	}
	for _, table := range []string{"customers", "complaints", "timeline", "outbox", "customer_changes", "customer_notes", "attachments"} {
		var dump string
		if err := conn.QueryRow(ctx, `SELECT coalesce(string_agg(t::text, ' '), '') FROM `+table+` t`).Scan(&dump); err != nil {
			t.Fatal(err)
		}
		for _, word := range clear {
			if strings.Contains(dump, word) {
				t.Errorf("%s still holds %q in clear", table, word)
			}
		}
	}
	for _, search := range []string{"kettle", "petrova", "KITCHEN"} {
		items, _, err := db.Queue(ctx, postgres.QueueQuery{Queue: postgres.QueueOpen, Search: search})
		if err != nil || len(items) != 1 || items[0].ID != id {
			t.Errorf("search %q after sealing: %v, %v", search, items, err)
		}
	}
	for _, who := range []redress.Customer{{Email: "lena.petrova@EXAMPLE.com"}, {Phone: "+79150001122"}} {
		same, created, err := db.UpsertCustomer(ctx, who, "test")
		if err != nil || created || same.ID != cu.ID {
			t.Errorf("the sealed customer by %+v: %v, created %v, %v", who, same, created, err)
		}
	}
	if again, err := db.SealOlderRows(ctx, nil); err != nil || again.Total() != 0 {
		t.Errorf("a second pass: %s, %v", again, err)
	}

	// Rotation: the new key first, the old one kept until the re-wrap.
	newKey := "kek2:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
	rotated, err := postgres.Open(ctx, url, keyring(t, newKey+","+redresstest.DataKey))
	if err != nil {
		t.Fatal(err)
	}
	defer rotated.Close()
	r, err := rotated.SealOlderRows(ctx, nil)
	if err != nil || r.Rewrapped < 2 { // the customer's key and the index key, at least
		t.Fatalf("rotation: %s, %v", r, err)
	}
	onlyNew, err := postgres.Open(ctx, url, keyring(t, newKey))
	if err != nil {
		t.Fatal(err)
	}
	defer onlyNew.Close()
	if got := read(onlyNew); got != want {
		t.Errorf("with the new key alone:\n got %s\nwant %s", got, want)
	}
	onlyOld, err := postgres.Open(ctx, url, redresstest.Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	defer onlyOld.Close()
	if _, err := onlyOld.Customer(ctx, cu.ID); !errors.Is(err, crypt.ErrNoKey) {
		t.Errorf("the old key alone after rotation: %v, want ErrNoKey", err)
	}
}
