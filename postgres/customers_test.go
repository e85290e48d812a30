package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// upsert matches or creates a customer and fails the test on an error.
func upsert(t *testing.T, db *postgres.DB, c redress.Customer) (*redress.Customer, bool) {
	t.Helper()
	got, created, err := db.UpsertCustomer(context.Background(), c, "crm-sync")
	if err != nil {
		t.Fatalf("UpsertCustomer(%+v): %v", c, err)
	}
	return got, created
}

func TestMatchByExternalID(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	c, created := upsert(t, db, redress.Customer{ExternalID: "crm-1", Name: "A", Email: "a@x.cn"})
	if !created || c.Tier != redress.TierStandard {
		t.Fatalf("create: %+v %v", c, created)
	}
	again, created := upsert(t, db, redress.Customer{ExternalID: "crm-1", Phone: "+86 10 1234", Tier: redress.TierGold})
	if created || again.ID != c.ID {
		t.Fatalf("match: %+v %v", again, created)
	}
	if again.Name != "A" || again.Email != "a@x.cn" || again.Phone != "+86 10 1234" || again.Tier != redress.TierStandard {
		t.Errorf("matched customer = %+v: the missing phone is filled in, the tier is not intake's to change", again)
	}
	if kept, _ := upsert(t, db, redress.Customer{ExternalID: "crm-1", Name: "B", Email: "b@x.cn", Phone: "+86 10 9999"}); kept.Name != "A" ||
		kept.Email != "a@x.cn" || kept.Phone != "+86 10 1234" {
		t.Errorf("intake replaced a known detail: %+v", kept)
	}
	anon1, _ := upsert(t, db, redress.Customer{Name: "No keys"})
	anon2, _ := upsert(t, db, redress.Customer{Name: "No keys"})
	if anon1.ID == anon2.ID {
		t.Error("customers without any key must not be merged")
	}
	if got, err := db.Customer(ctx, c.ID); err != nil || got.ExternalID != "crm-1" || got.Phone != "+86 10 1234" {
		t.Errorf("Customer = %+v, %v", got, err)
	}
	if _, err := db.Customer(ctx, "nope"); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("unknown customer: %v", err)
	}
}

func TestMatchByNormalisedEmail(t *testing.T) {
	db := redresstest.NewDB(t)
	c, _ := upsert(t, db, redress.Customer{Email: "Li.Wei+shop@Example.COM", Name: "Li Wei"})
	tests := []struct {
		email string
		same  bool
	}{
		{"li.wei+shop@example.com", true},
		{"  LI.WEI+SHOP@EXAMPLE.COM ", true},
		{"liwei+shop@example.com", false},   // dots are kept
		{"li.wei@example.com", false},       // plus-tags are kept
		{"li.wei+shop@example.cn", false},   // another domain
		{"li.wei+shop@example.com.", false}, // not trimmed of anything but spaces
	}
	for _, tt := range tests {
		got, created := upsert(t, db, redress.Customer{Email: tt.email})
		if same := got.ID == c.ID; same != tt.same || created == tt.same {
			t.Errorf("%q: customer %s (created %v); same customer as %q: %v, want %v",
				tt.email, got.ID, created, c.Email, same, tt.same)
		}
	}
	if got, _ := db.Customer(context.Background(), c.ID); got.Email != c.Email || got.Name != "Li Wei" {
		t.Errorf("the matched customer keeps its e-mail's spelling and its name: %+v", got)
	}
}

func TestMatchByNormalisedPhone(t *testing.T) {
	db := redresstest.NewDB(t)
	c, _ := upsert(t, db, redress.Customer{Phone: "+86 138-0000 (0000)"})
	tests := []struct {
		phone string
		same  bool
	}{
		{"+8613800000000", true},
		{" +86.138.0000.0000", true},
		{"+86 138/0000/0000", true},
		{"8613800000000", false}, // the leading + counts
		{"+86 138 0000 0001", false},
		{"13800000000", false},
	}
	for _, tt := range tests {
		got, created := upsert(t, db, redress.Customer{Phone: tt.phone})
		if same := got.ID == c.ID; same != tt.same || created == tt.same {
			t.Errorf("%q: customer %s (created %v); same customer as %q: %v, want %v",
				tt.phone, got.ID, created, c.Phone, same, tt.same)
		}
	}
	if got, _ := db.Customer(context.Background(), c.ID); got.Phone != c.Phone {
		t.Errorf("the matched customer's phone = %q, want its own spelling %q", got.Phone, c.Phone)
	}
}

func TestMatchOrder(t *testing.T) {
	db := redresstest.NewDB(t)
	byEmail, _ := upsert(t, db, redress.Customer{Email: "wang@example.com", Phone: "+86 1"})
	// An unknown external id falls back to the e-mail, and the customer that
	// had none gets it.
	linked, created := upsert(t, db, redress.Customer{ExternalID: "crm-wang", Email: "wang@example.com"})
	if created || linked.ID != byEmail.ID || linked.ExternalID != "crm-wang" {
		t.Fatalf("external id unknown, e-mail known: %+v (created %v), want %s with the external id", linked, created, byEmail.ID)
	}
	// An unknown e-mail falls back to the phone, and does not replace the
	// customer's own.
	byPhone, created := upsert(t, db, redress.Customer{Email: "wang.fang@example.com", Phone: "+861"})
	if created || byPhone.ID != byEmail.ID || byPhone.Email != "wang@example.com" {
		t.Fatalf("e-mail unknown, phone known: %+v (created %v)", byPhone, created)
	}
	if same, created := upsert(t, db, redress.Customer{ExternalID: "crm-wang", Email: "Wang@example.com", Phone: "+86 1"}); created || same.ID != byEmail.ID {
		t.Errorf("all three keys of one customer: %+v (created %v)", same, created)
	}
	// The e-mail comes before the phone when they find two customers.
	other, _ := upsert(t, db, redress.Customer{Email: "other@example.com"})
	if got, created := upsert(t, db, redress.Customer{Email: "other@example.com", Phone: "+86 1"}); created || got.ID != other.ID ||
		got.Phone != "+86 1" || got.PossibleDuplicateOf != byEmail.ID {
		t.Errorf("e-mail of one, phone of another: %+v (created %v), want %s with the phone as a detail, marked as a possible duplicate of %s",
			got, created, other.ID, byEmail.ID)
	}
	if got, _ := upsert(t, db, redress.Customer{Phone: "+86 1"}); got.ID != byEmail.ID {
		t.Errorf("the phone found %s, want its first customer %s", got.ID, byEmail.ID)
	}
}

// Details that touch other customers never refuse a customer: the external
// id decides, a new one makes a new customer, and every e-mail and phone
// stays with the customer that had it.
func TestDetailsOfOtherCustomersAreNeverRefused(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	a, _ := upsert(t, db, redress.Customer{ExternalID: "crm-a", Name: "A", Email: "a@example.com", Phone: "+86 100"})
	b, _ := upsert(t, db, redress.Customer{ExternalID: "crm-b", Name: "B", Email: "b@example.com", Phone: "+86 200"})
	c, _ := upsert(t, db, redress.Customer{Name: "C", Email: "c@example.com"})
	tests := []struct {
		name      string
		details   redress.Customer
		want      string // the customer found; "" for a new one
		duplicate string // the possible duplicate marked on the new one
	}{
		{"external id of one, e-mail of another", redress.Customer{ExternalID: "crm-a", Email: "b@example.com", Name: "X"}, a.ID, ""},
		{"e-mail of one, phone of another", redress.Customer{Email: "c@example.com", Phone: "+86200", Name: "X"}, c.ID, ""},
		{"a family sharing an e-mail", redress.Customer{ExternalID: "crm-a2", Email: "A@example.com", Name: "A's son"}, "", a.ID},
		{"a shop sharing its owner's phone", redress.Customer{ExternalID: "crm-shop", Phone: "+86 (200)", Name: "B's shop"}, "", b.ID},
	}
	for _, tt := range tests {
		got, created, err := db.UpsertCustomer(ctx, tt.details, "crm-sync")
		if err != nil {
			t.Errorf("%s: %v, want the customer found or made", tt.name, err)
			continue
		}
		switch {
		case tt.want != "" && (created || got.ID != tt.want):
			t.Errorf("%s: customer %s (created %v), want %s", tt.name, got.ID, created, tt.want)
		case tt.want == "" && (!created || got.PossibleDuplicateOf != tt.duplicate || got.ExternalID != tt.details.ExternalID):
			t.Errorf("%s: %+v (created %v), want a new customer marked as a possible duplicate of %s", tt.name, got, created, tt.duplicate)
		}
	}
	for _, want := range []*redress.Customer{a, b} {
		got, err := db.Customer(ctx, want.ID)
		if err != nil || got.ExternalID != want.ExternalID || got.Name != want.Name || got.Email != want.Email || got.Phone != want.Phone {
			t.Errorf("customer %s changed: %+v, want %+v", want.Name, got, want)
		}
	}
	// The shared e-mail and phone still find the customers that had them.
	if got, _ := upsert(t, db, redress.Customer{Email: "a@example.com"}); got.ID != a.ID {
		t.Errorf("a's e-mail finds %s, want %s", got.ID, a.ID)
	}
	if got, _ := upsert(t, db, redress.Customer{Phone: "+86 200"}); got.ID != b.ID {
		t.Errorf("b's phone finds %s, want %s", got.ID, b.ID)
	}
	if _, created := upsert(t, db, redress.Customer{Name: "new"}); !created {
		t.Error("customers were merged")
	}
}

// A staff edit changes what intake never may, is recorded, and refuses an
// e-mail another customer is found by.
func TestStaffEditsACustomer(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	a, _ := upsert(t, db, redress.Customer{ExternalID: "crm-a", Email: "a@example.com", Phone: "+86 100"})
	b, _ := upsert(t, db, redress.Customer{ExternalID: "crm-b", Email: "b@example.com"})
	email, tier, none := "a.new@example.com", redress.TierGold, ""
	got, err := db.EditCustomer(ctx, a.ID, redress.CustomerEdit{Email: &email, Tier: &tier, Phone: &none}, "ana")
	if err != nil || got.Email != email || got.Tier != tier || got.Phone != "" {
		t.Fatalf("edit = %+v, %v", got, err)
	}
	if found, _ := upsert(t, db, redress.Customer{Email: "A.New@example.com"}); found.ID != a.ID {
		t.Errorf("the new e-mail finds %s, want %s", found.ID, a.ID)
	}
	if found, created := upsert(t, db, redress.Customer{Email: "a@example.com"}); !created || found.ID == a.ID {
		t.Errorf("the old e-mail still finds the customer: %+v", found)
	}
	taken := "B@example.com"
	if _, err := db.EditCustomer(ctx, a.ID, redress.CustomerEdit{Email: &taken}, "ana"); redress.ErrorCode(err) != redress.ECONFLICT ||
		!strings.Contains(redress.ErrorMessage(err), b.ID) {
		t.Errorf("an e-mail of another customer: %v, want a conflict naming %s", err, b.ID)
	}
	if _, err := db.EditCustomer(ctx, "00000000-0000-7000-8000-000000000000", redress.CustomerEdit{Email: &email}, "ana"); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("unknown customer: %v", err)
	}
	changes, err := db.CustomerChanges(ctx, a.ID)
	if err != nil || len(changes) != 2 || changes[1].Kind != redress.CustomerEdited || changes[1].Source != "ana" ||
		changes[1].Fields["email"] != (redress.FieldChange{From: "a@example.com", To: email}) ||
		changes[1].Fields["tier"] != (redress.FieldChange{From: "standard", To: "gold"}) ||
		changes[1].Fields["phone"] != (redress.FieldChange{From: "+86 100"}) {
		t.Errorf("changes = %+v, %v; want the creation and the edit", changes, err)
	}
}

func TestConcurrentIntakesOfANewEmailMakeOneCustomer(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	// Several rounds, each with a new e-mail, so that requests do race to
	// create the customer: a round can be won before the others start.
	const rounds, n = 10, 8
	for round := range rounds {
		filed := make([]postgres.Filed, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each complaint is its own request: only the e-mail is
				// shared, spelt in two ways.
				email := fmt.Sprintf("New-%d@Example.com", round)
				if i%2 == 1 {
					email = " " + strings.ToLower(email)
				}
				in := postgres.Intake{Customer: redress.Customer{Email: email},
					Build: func(cu *redress.Customer, _ []redress.DuplicateCandidate) postgres.Filing {
						return newFiling(cu.ID, time.Now())
					}}
				<-start
				var err error
				if filed[i], err = db.CreateComplaint(ctx, in); err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		for _, f := range filed {
			if f.Customer.ID != filed[0].Customer.ID || !f.Created {
				t.Fatalf("round %d: complaints were filed for different customers or not at all: %+v, %+v", round, f, filed[0])
			}
		}
		items, _, err := db.Complaints(ctx, postgres.ComplaintFilter{CustomerID: filed[0].Customer.ID, Limit: 100})
		if err != nil || len(items) != n {
			t.Errorf("round %d: the customer has %d complaints (%v), want %d", round, len(items), err, n)
		}
		changes, err := db.CustomerChanges(ctx, filed[0].Customer.ID)
		if err != nil || len(changes) != 1 || changes[0].Kind != redress.CustomerCreated {
			t.Errorf("round %d: changes = %+v, %v; want one creation", round, changes, err)
		}
	}
}

func TestChangesAreRecorded(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	c, _ := upsert(t, db, redress.Customer{ExternalID: "crm-7", Name: "Zhao Lei", Email: "zhao@example.com"})
	upsert(t, db, redress.Customer{ExternalID: "crm-7", Name: "Zhao Lei"}) // nothing new: no change
	f := newFiling(c.ID, time.Now())
	_, err := db.CreateComplaint(ctx, postgres.Intake{
		Customer: redress.Customer{ExternalID: "crm-7", Phone: "+86 555", Tier: redress.TierGold, Name: "Someone Else"},
		Build:    func(*redress.Customer, []redress.DuplicateCandidate) postgres.Filing { return f },
		Caller:   "web-form"})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := db.CustomerChanges(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []redress.CustomerChange{
		{Kind: redress.CustomerCreated, Source: "crm-sync", Fields: map[string]redress.FieldChange{
			"external_id": {To: "crm-7"}, "name": {To: "Zhao Lei"}, "email": {To: "zhao@example.com"}, "tier": {To: "standard"}}},
		{Kind: redress.CustomerUpdated, Source: "web-form", ComplaintID: f.Complaint.ID, Fields: map[string]redress.FieldChange{
			"phone": {To: "+86 555"}}},
	}
	if len(changes) != len(want) {
		t.Fatalf("changes = %+v, want %d", changes, len(want))
	}
	for i, ch := range changes {
		if ch.At.IsZero() || time.Since(ch.At) > time.Minute {
			t.Errorf("change %d at %v", i, ch.At)
		}
		ch.At = time.Time{}
		if fmt.Sprint(ch) != fmt.Sprint(want[i]) {
			t.Errorf("change %d = %+v, want %+v", i, ch, want[i])
		}
	}
}

// A request refused under an Idempotency-Key changes no customer, even when
// it got as far as matching and updating the customer before it lost the key.
func TestRefusedIntakeLeavesTheCustomerAsItWas(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	original, _ := upsert(t, db, redress.Customer{ExternalID: "crm-9", Name: "Original", Email: "nine@example.com"})
	intake := func(name, body string) postgres.Intake {
		return postgres.Intake{Customer: redress.Customer{ExternalID: "crm-9", Phone: name},
			Build: func(cu *redress.Customer, _ []redress.DuplicateCandidate) postgres.Filing {
				return newFiling(cu.ID, time.Now())
			},
			Caller: "intake", IdempotencyKey: "order-9", RequestHash: []byte(body)}
	}
	const n = 16
	var wg sync.WaitGroup
	results := make([]postgres.Filed, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = db.CreateComplaint(ctx, intake(fmt.Sprintf("+86 %d", i), fmt.Sprintf("body %d", i)))
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && results[i].Created && winner < 0:
			winner = i
		case redress.ErrorCode(err) != redress.ECONFLICT:
			t.Fatalf("request %d: %+v, %v; want one complaint and conflicts", i, results[i], err)
		}
	}
	if winner < 0 {
		t.Fatal("no request filed the complaint")
	}
	winnerPhone := fmt.Sprintf("+86 %d", winner)
	if _, err := db.CreateComplaint(ctx, intake("+86 999", "another body")); redress.ErrorCode(err) != redress.ECONFLICT {
		t.Errorf("a later request under the key: %v, want a conflict", err)
	}
	if _, err := db.CreateComplaint(ctx, intake("+86 999", fmt.Sprintf("body %d", winner))); err != nil {
		t.Errorf("the winner's retry: %v", err)
	}
	got, err := db.Customer(ctx, original.ID)
	if err != nil || got.Phone != winnerPhone {
		t.Errorf("customer = %+v, %v; want only the filed request's phone %q", got, err, winnerPhone)
	}
	changes, err := db.CustomerChanges(ctx, original.ID)
	if err != nil || len(changes) != 2 || changes[1].Fields["phone"] != (redress.FieldChange{To: winnerPhone}) ||
		changes[1].ComplaintID != results[winner].ComplaintID {
		t.Errorf("changes = %+v, %v; want the creation and the filed request's phone", changes, err)
	}
}

// Customers that already share an e-mail or a phone do not stop the
// migration: the oldest keeps the key, the others keep their details.
func TestMigrationKeepsDuplicateCustomers(t *testing.T) {
	ctx := context.Background()
	db, conn := olderSchema(t, 3)
	if _, err := conn.Exec(ctx, `INSERT INTO customers (id, external_id, email, phone, created_at) VALUES
		('00000000-0000-7000-8000-000000000001', 'old', 'Dup@example.com', '+86 1', '2026-01-01'),
		('00000000-0000-7000-8000-000000000002', 'new', 'dup@example.com ', '+861', '2026-02-01'),
		('00000000-0000-7000-8000-000000000003', NULL, 'solo@example.com', '', '2026-03-01')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migration over duplicate customers: %v", err)
	}
	const oldest, younger = "00000000-0000-7000-8000-000000000001", "00000000-0000-7000-8000-000000000002"
	if cu, created, err := db.UpsertCustomer(ctx, redress.Customer{Email: "dup@example.com"}, "t"); err != nil || created || cu.ID != oldest {
		t.Errorf("the e-mail matches %+v (created %v, %v), want the oldest customer", cu, created, err)
	}
	if cu, created, err := db.UpsertCustomer(ctx, redress.Customer{Phone: "+86 1"}, "t"); err != nil || created || cu.ID != oldest {
		t.Errorf("the phone matches %+v (created %v, %v), want the oldest customer", cu, created, err)
	}
	if cu, created, err := db.UpsertCustomer(ctx, redress.Customer{ExternalID: "new", Name: "Still here"}, "t"); err != nil || created || cu.ID != younger || cu.Email != "dup@example.com " {
		t.Errorf("the younger duplicate by its external id: %+v (created %v, %v)", cu, created, err)
	}
	if cu, created, err := db.UpsertCustomer(ctx, redress.Customer{ExternalID: "new", Email: "dup@example.com"}, "t"); err != nil || created ||
		cu.ID != younger || cu.PossibleDuplicateOf != oldest {
		t.Errorf("the younger duplicate with the shared e-mail: %+v (created %v, %v), want it marked as the oldest's possible duplicate", cu, created, err)
	}
	if cu, created, err := db.UpsertCustomer(ctx, redress.Customer{Email: "SOLO@example.com"}, "t"); err != nil || created ||
		cu.ID != "00000000-0000-7000-8000-000000000003" {
		t.Errorf("an e-mail without duplicates matches %+v (created %v, %v)", cu, created, err)
	}
}

// olderSchema opens a fresh database migrated up to version last only, and
// a plain connection to put rows in it as that version stored them.
func olderSchema(t *testing.T, last int) (*postgres.DB, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	url := redresstest.NewDatabaseURL(t)
	db, err := postgres.Open(ctx, url, redresstest.Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.MigrateUpTo(ctx, last); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return db, conn
}
