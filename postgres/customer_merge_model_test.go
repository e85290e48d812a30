package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// mergeModel is customer merging as SPEC section 11 reads: a merged
// customer's complaints and purchases become the kept customer's; a
// customer merged away is never a side of another merge; what was merged
// into a customer goes with it when it is merged in turn; filing for a
// merged customer, by its id or its external id, files for the one it
// became.
type mergeModel struct {
	into map[int]int // a customer merged away → the customer it became
}

func (m *mergeModel) owner(c int) int {
	for {
		next, merged := m.into[c]
		if !merged {
			return c
		}
		c = next
	}
}

// TestCustomerMergesMatchTheModel runs random sequences of intakes (by
// customer id and by external id), purchases and merges, merges that
// cannot be and merges crossing each other at once included, and checks
// after each step that every complaint and purchase belongs to the
// customer the model says, none lost or counted twice, and that every
// customer answers with the customer it was merged into.
func TestCustomerMergesMatchTheModel(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	var run atomic.Int64
	rapid.Check(t, func(t *rapid.T) {
		n := run.Add(1)
		model := &mergeModel{into: map[int]int{}}
		var ids []string
		index := map[string]int{}
		customers := rapid.IntRange(2, 5).Draw(t, "customers")
		for i := range customers {
			cu, _, err := db.UpsertCustomer(ctx, redress.Customer{ExternalID: fmt.Sprintf("merge-%d-%d", n, i),
				Email: fmt.Sprintf("c%d.%d@example.com", n, i)}, "model")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, cu.ID)
			index[cu.ID] = i
		}
		complaints := map[string]int{} // complaint → the customer it was filed for
		purchases := map[string]int{}  // purchase → its buyer
		steps := rapid.IntRange(1, 25).Draw(t, "steps")
		for step := range steps {
			c := rapid.IntRange(0, customers-1).Draw(t, "customer")
			switch op := rapid.SampledFrom([]string{"file by id", "file by external id", "purchase", "merge", "crossing merges"}).Draw(t, "op"); op {
			case "file by id", "file by external id":
				want := redress.Customer{ID: ids[c]}
				if op == "file by external id" {
					want = redress.Customer{ExternalID: fmt.Sprintf("merge-%d-%d", n, c)}
				}
				f := newFiling("", time.Now().UTC())
				filed, err := db.CreateComplaint(ctx, postgres.Intake{Customer: want,
					Build: func(cu *redress.Customer, _ []redress.DuplicateCandidate) postgres.Filing {
						f.Complaint.CustomerID, f.ReceivedEvent.CustomerID = cu.ID, cu.ID
						return f
					}})
				if err != nil {
					t.Fatalf("step %d: %s for customer %d: %v", step, op, c, err)
				}
				if got := index[filed.Customer.ID]; filed.Customer.ID != ids[model.owner(c)] {
					t.Fatalf("step %d: %s for customer %d filed for customer %d; want %d", step, op, c, got, model.owner(c))
				}
				complaints[filed.ComplaintID] = c
			case "purchase":
				bought, err := db.AddPurchase(ctx, redress.Purchase{CustomerID: ids[c], Amount: 10, Currency: "CNY", At: time.Now().UTC()},
					redress.DefaultPolicy().Loyalty, "model")
				p := bought.Purchase
				if err != nil || p.CustomerID != ids[model.owner(c)] {
					t.Fatalf("step %d: a purchase of customer %d: %+v, %v; want it customer %d's", step, c, p, err, model.owner(c))
				}
				purchases[p.ID] = c
			case "merge":
				into := rapid.IntRange(0, customers-1).Draw(t, "into")
				_, err := db.MergeCustomers(ctx, ids[c], ids[into], "model")
				checkMerge(t, model, c, into, err)
			case "crossing merges":
				other := rapid.IntRange(0, customers-1).Draw(t, "other")
				if other == c {
					continue
				}
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i, pair := range [][2]int{{c, other}, {other, c}} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, errs[i] = db.MergeCustomers(ctx, ids[pair[0]], ids[pair[1]], "model")
					}()
				}
				wg.Wait()
				switch {
				case errs[0] == nil && errs[1] == nil:
					t.Fatalf("step %d: customers %d and %d were merged into each other", step, c, other)
				case errs[0] == nil:
					checkMerge(t, model, c, other, nil)
				case errs[1] == nil:
					checkMerge(t, model, other, c, nil)
				default:
					checkMerge(t, model, c, other, errs[0]) // both refused: each must be a merge that cannot be
					checkMerge(t, model, other, c, errs[1])
				}
			}
			checkOwners(t, ctx, db, model, ids, complaints, purchases)
		}
	})
}

// checkMerge applies a merge's outcome to the model, failing the test when
// the store's answer is not the model's.
func checkMerge(t *rapid.T, m *mergeModel, c, into int, err error) {
	t.Helper()
	_, cMerged := m.into[c]
	_, intoMerged := m.into[into]
	var want string
	switch {
	case c == into:
		want = redress.EINVALID
	case cMerged && m.into[c] == into:
		want = "" // the same merge again
	case cMerged, intoMerged:
		want = redress.ECONFLICT
	}
	switch {
	case want == "" && err != nil:
		t.Fatalf("merging %d into %d: %v; want it done", c, into, err)
	case want != "" && redress.ErrorCode(err) != want:
		t.Fatalf("merging %d into %d: %v; want %s", c, into, err, want)
	case want == "" && !cMerged:
		for other, next := range m.into {
			if next == c {
				m.into[other] = into // merged into the one merged away: with it
			}
		}
		m.into[c] = into
	}
}

// checkOwners compares what the store says each complaint, purchase and
// customer belongs to with the model.
func checkOwners(t *rapid.T, ctx context.Context, db *postgres.DB, m *mergeModel, ids []string, complaints, purchases map[string]int) {
	t.Helper()
	for id, filedFor := range complaints {
		c, err := db.Complaint(ctx, id)
		if err != nil || c.CustomerID != ids[m.owner(filedFor)] {
			t.Fatalf("complaint %s filed for customer %d belongs to %v (%v); want customer %d", id, filedFor, c, err, m.owner(filedFor))
		}
	}
	for i, id := range ids {
		cu, err := db.Customer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if owner := m.owner(i); owner != i {
			want = ids[owner]
		}
		if cu.MergedInto != want {
			t.Fatalf("customer %d answers merged_into %q; want %q", i, cu.MergedInto, want)
		}
		found, err := db.PurchasedWithin(ctx, id, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if want := anyBoughtBy(m, purchases, m.owner(i)); err != nil || found != want {
			t.Fatalf("customer %d has purchases: %v (%v); the model says %v", i, found, err, want)
		}
	}
}

// anyBoughtBy tells whether a purchase is the customer owner's.
func anyBoughtBy(m *mergeModel, purchases map[string]int, owner int) bool {
	for _, buyer := range purchases {
		if m.owner(buyer) == owner {
			return true
		}
	}
	return false
}
