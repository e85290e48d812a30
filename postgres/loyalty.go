package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// TierChange is loyalty moving a customer's tier.
type TierChange struct {
	CustomerID string       `json:"customer_id"`
	From       redress.Tier `json:"from"`
	To         redress.Tier `json:"to"`
	Reason     string       `json:"reason"`
}

// Bought is what a purchase did: the purchase as stored (its customer the
// buyer, or the one they were merged into), the points it earned and the
// tier it moved, if any.
type Bought struct {
	Purchase     redress.Purchase
	PointsEarned int64
	TierChange   *TierChange
}

// AddPurchase records a customer's purchase and, in the same transaction,
// recomputes their tier and earns their points by the loyalty policy.
func (db *DB) AddPurchase(ctx context.Context, p redress.Purchase, loyalty redress.LoyaltyPolicy, by string) (Bought, error) {
	var out Bought
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var err error
		out, err = db.addPurchase(ctx, tx, p, loyalty, by)
		return err
	})
	return out, wrap(err)
}

// addPurchase is AddPurchase in the caller's transaction.
func (db *DB) addPurchase(ctx context.Context, tx pgx.Tx, p redress.Purchase, loyalty redress.LoyaltyPolicy, by string) (Bought, error) {
	var out Bought
	buyer, err := db.lockBuyer(ctx, tx, p.CustomerID)
	if err != nil {
		return out, err
	}
	p.ID, p.CustomerID = uuid.Must(uuid.NewV7()).String(), buyer
	if _, err := tx.Exec(ctx, `INSERT INTO purchases (id, customer_id, amount, currency, at, coupon_run_id)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''))`, p.ID, p.CustomerID, p.Amount, p.Currency, p.At, p.CouponRunID); err != nil {
		return out, err
	}
	now := time.Now().UTC()
	tier, change, err := db.reviewTier(ctx, tx, buyer, loyalty, now, by)
	if err != nil {
		return out, err
	}
	out.TierChange = change
	out.PointsEarned = loyalty.Points(tier, p.Amount, p.Currency)
	var expires *time.Time
	if after := loyalty.PointsExpireAfter.D(); after > 0 {
		at := p.At.Add(after)
		if !at.After(now) {
			out.PointsEarned = 0 // a purchase older than the points it would earn
		}
		expires = &at
	}
	if out.PointsEarned > 0 {
		if err := addPoints(ctx, tx, pointsLine{customerID: buyer, kind: "earned", points: out.PointsEarned,
			expiresAt: expires, purchaseID: p.ID, by: by}); err != nil {
			return out, err
		}
	}
	out.Purchase = p
	return out, nil
}

// lockBuyer locks the customer a purchase is for: the one named, or the
// one they were merged into. A merge that commits between the look and
// the lock is seen on the second look.
func (db *DB) lockBuyer(ctx context.Context, tx pgx.Tx, id string) (string, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return "", redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
	}
	for range 3 {
		var buyer string
		var mergedInto *string
		err = tx.QueryRow(ctx, `SELECT id::text, merged_into::text FROM customers
			WHERE id = (SELECT coalesce(merged_into, id) FROM customers WHERE id = $1) FOR UPDATE`, uid).Scan(&buyer, &mergedInto)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
		}
		if err != nil || mergedInto == nil {
			return buyer, err
		}
	}
	return "", redress.Errorf(redress.EUNAVAILABLE, "customer %s is being merged; try again", id)
}

// reviewTier recomputes a locked customer's tier from their last year of
// purchases, records a change (the customer's change log, and a
// customer.tier_changed event) and answers the tier.
func (db *DB) reviewTier(ctx context.Context, tx pgx.Tx, customerID string, loyalty redress.LoyaltyPolicy, now time.Time, by string) (redress.Tier, *TierChange, error) {
	var standing redress.TierStanding
	var spend float64
	var purchases int
	err := tx.QueryRow(ctx, `SELECT c.tier, c.tier_pinned, c.tier_below_since,
			coalesce(sum(p.amount), 0)::float8, count(p.id)
		FROM customers c LEFT JOIN purchases p ON p.customer_id = c.id AND p.currency = $2
			AND p.at > $3::timestamptz - make_interval(secs => $4) AND p.at <= $3
		WHERE c.id = $1 GROUP BY c.id`, customerID, loyalty.Currency, now, redress.LoyaltyYear.Seconds()).
		Scan(&standing.Tier, &standing.Pinned, &standing.BelowSince, &spend, &purchases)
	if err != nil {
		return "", nil, err
	}
	next := loyalty.NextTier(standing, loyalty.Earned(spend, purchases), now)
	if _, err := tx.Exec(ctx, `UPDATE customers SET tier = $2, tier_below_since = $3 WHERE id = $1`,
		customerID, next.Tier, next.BelowSince); err != nil {
		return "", nil, err
	}
	if next.Tier == standing.Tier {
		return next.Tier, nil, nil
	}
	change := &TierChange{CustomerID: customerID, From: standing.Tier, To: next.Tier,
		Reason: redress.TierChangeReason(standing.Tier, next.Tier, spend, purchases, loyalty.Currency)}
	if err := db.recordChange(ctx, tx, customerID, &redress.CustomerChange{Kind: redress.CustomerTierChanged,
		Fields: map[string]redress.FieldChange{"tier": {From: string(change.From), To: string(change.To)}},
		Reason: change.Reason}, by, ""); err != nil {
		return "", nil, err
	}
	return next.Tier, change, db.insertEvents(ctx, tx, []redress.Event{{
		ID: "tier-" + customerID + "-" + now.Format("20060102T150405.000000"), Type: redress.EventTierChanged,
		OccurredAt: now, CustomerID: customerID,
		Data: map[string]any{"from": string(change.From), "to": string(change.To), "reason": change.Reason},
	}})
}

// ReviewTiers is the daily recompute: it reviews a page of the customers
// loyalty may move (above standard, or already below their tier), after
// the id after, and says where the next page starts ("" when done).
func (db *DB) ReviewTiers(ctx context.Context, loyalty redress.LoyaltyPolicy, now time.Time, after string, limit int) ([]TierChange, string, error) {
	if len(loyalty.Tiers) == 0 {
		return nil, "", nil
	}
	start := uuid.Nil
	if after != "" {
		var err error
		if start, err = uuid.Parse(after); err != nil {
			return nil, "", err
		}
	}
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM customers
		WHERE merged_into IS NULL AND NOT tier_pinned AND (tier <> 'standard' OR tier_below_since IS NOT NULL) AND id > $1
		ORDER BY id LIMIT $2`, start, limit)
	if err != nil {
		return nil, "", wrap(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, "", wrap(err)
	}
	var changes []TierChange
	for _, id := range ids {
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT FROM customers WHERE id = $1 FOR UPDATE`, id); err != nil {
				return err
			}
			_, change, err := db.reviewTier(ctx, tx, id, loyalty, now, "system:loyalty")
			if change != nil {
				changes = append(changes, *change)
			}
			return err
		})
		if err != nil {
			return changes, "", wrap(err)
		}
	}
	next := ""
	if len(ids) == limit {
		next = ids[len(ids)-1]
	}
	return changes, next, nil
}

// RunningComplaintIDs are the complaints of a customer whose workflows may
// still run: not merged, and open or closed within the last 90 days (past
// any survey and reopen window a policy sets in practice). A workflow that
// has ended is simply not found by whoever signals it.
func (db *DB) RunningComplaintIDs(ctx context.Context, customerID string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM complaints
		WHERE customer_id::text = $1 AND status <> 'merged' AND (closed_at IS NULL OR closed_at > now() - interval '90 days')
		ORDER BY created_at`, customerID)
	if err != nil {
		return nil, wrap(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap(err)
}
