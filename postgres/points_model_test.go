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

// TestPointsMatchTheLedgerModel runs random purchases, redemptions (some
// retried, some racing each other) and expiries against a model that
// keeps lots by their expiry and spends the first to expire, and checks
// after each step that the balance is the model's, equals the ledger's
// sum and is never negative. Purchases are made in the past; the daily
// expiry runs at a clock that moves ahead of the real one, so lots expire
// after parts of them were spent.
func TestPointsMatchTheLedgerModel(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	var run atomic.Int64
	rapid.Check(t, func(t *rapid.T) {
		n := run.Add(1)
		loyalty := redress.DefaultPolicy().Loyalty
		loyalty.Tiers = nil // points only: the tier stays standard, one point a yuan
		loyalty.PointsExpireAfter = redress.Duration(time.Duration(rapid.IntRange(1, 30).Draw(t, "expire days")) * 24 * time.Hour)
		cu, _, err := db.UpsertCustomer(ctx, redress.Customer{ExternalID: fmt.Sprintf("points-%d", n)}, "model")
		if err != nil {
			t.Fatal(err)
		}
		var lots []pointsLot // oldest first: purchases come in time order
		spendModel := func(points int64) {
			for i := range lots {
				take := min(points, lots[i].left)
				lots[i].left -= take
				points -= take
			}
		}
		balance := func(now time.Time) (sum int64) {
			for _, l := range lots {
				if l.expires.After(now) {
					sum += l.left
				}
			}
			return sum
		}
		// Purchases from a few days back: most earn lots that expire while
		// the run goes on, some were past their expiry when reported.
		start := time.Now().UTC().Add(-time.Duration(rapid.IntRange(0, 240).Draw(t, "hours back")) * time.Hour)
		at, now := start, time.Now().UTC()
		refs := []string{}
		for step := range rapid.IntRange(1, 25).Draw(t, "steps") {
			at = at.Add(time.Duration(rapid.IntRange(0, 72).Draw(t, "hours")) * time.Hour)
			if at.After(time.Now()) {
				at = time.Now().UTC()
			}
			// The expiry's clock moves ahead; what it writes off first.
			now = now.Add(time.Duration(rapid.IntRange(0, 72).Draw(t, "expiry hours")) * time.Hour)
			if _, _, err := db.ExpirePoints(ctx, now, "", 1000); err != nil {
				t.Fatal(err)
			}
			expireModel(&lots, now)
			switch op := rapid.SampledFrom([]string{"buy", "redeem", "retry", "race"}).Draw(t, "op"); op {
			case "buy":
				amount := rapid.IntRange(1, 500).Draw(t, "amount")
				bought, err := db.AddPurchase(ctx, redress.Purchase{CustomerID: cu.ID, Amount: float64(amount), Currency: "CNY", At: at}, loyalty, "model")
				if err != nil {
					t.Fatal(err)
				}
				expires := at.Add(loyalty.PointsExpireAfter.D())
				want := int64(amount)
				if !expires.After(time.Now()) {
					want = 0 // expired before it was reported
				}
				if bought.PointsEarned != want {
					t.Fatalf("step %d: a purchase of %d earned %d points, want %d", step, amount, bought.PointsEarned, want)
				}
				if want > 0 {
					lots = append(lots, pointsLot{expires: expires, left: want})
					expireModel(&lots, now) // the next expiry writes it off if it is already past the clock
				}
			case "redeem", "race":
				racers := 1
				if op == "race" {
					racers = rapid.IntRange(2, 4).Draw(t, "racers")
				}
				points := int64(rapid.IntRange(1, 400).Draw(t, "points"))
				expireModel(&lots, now)
				var wg sync.WaitGroup
				var won atomic.Int64
				for r := range racers {
					ref := fmt.Sprintf("order-%d-%d", step, r)
					refs = append(refs, ref)
					wg.Go(func() {
						if _, err := db.RedeemPoints(ctx, cu.ID, points, ref, "model"); err == nil {
							won.Add(1)
						} else if redress.ErrorCode(err) != redress.ECONFLICT {
							t.Errorf("redeem: %v", err)
						}
					})
				}
				wg.Wait()
				have := balance(now)
				wantWon := min(int64(racers), have/points)
				if won.Load() != wantWon {
					t.Fatalf("step %d: %d of %d redemptions of %d points with %d went through, want %d", step, won.Load(), racers, points, have, wantWon)
				}
				spendModel(won.Load() * points)
			case "retry":
				if len(refs) == 0 {
					continue
				}
				ref := rapid.SampledFrom(refs).Draw(t, "ref")
				before, _ := db.Customer(ctx, cu.ID)
				_, err := db.RedeemPoints(ctx, cu.ID, 1_000_000, ref, "model")
				after, _ := db.Customer(ctx, cu.ID)
				if err == nil || after.Points != before.Points {
					t.Fatalf("step %d: another number of points under a used reference: %v, balance %d → %d", step, err, before.Points, after.Points)
				}
			}
			if _, _, err := db.ExpirePoints(ctx, now, "", 1000); err != nil {
				t.Fatal(err)
			}
			expireModel(&lots, now)
			checkBalance(t, db, cu.ID, balance(now))
		}
	})
}

// pointsLot is points earned together, and what is left of them.
type pointsLot struct {
	expires time.Time
	left    int64
}

// expireModel drops what is left of the lots expired by now.
func expireModel(lots *[]pointsLot, now time.Time) {
	for i := range *lots {
		if !(*lots)[i].expires.After(now) {
			(*lots)[i].left = 0
		}
	}
}

// checkBalance compares a customer's balance with the model's and with the
// sum of their ledger.
func checkBalance(t *rapid.T, db *postgres.DB, customerID string, want int64) {
	cu, err := db.Customer(context.Background(), customerID)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := db.PointsLedger(context.Background(), customerID, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, l := range lines {
		sum += l.Points
	}
	if cu.Points != want || sum != cu.Points || cu.Points < 0 {
		t.Fatalf("balance %d, ledger sum %d, the model says %d", cu.Points, sum, want)
	}
}
