package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// CustomerMerge is what merging one customer into another did.
type CustomerMerge struct {
	Into *redress.Customer // the customer kept, as it now stands
	// Complaints are the complaints that moved, whose workflows, where they
	// still run, must learn their new customer.
	Complaints []string
}

// MergeCustomers makes the customer id one with the customer into: its
// complaints, purchases and win-backs become into's, the customers merged
// into it or flagged as its duplicates point at into, into takes the
// contacts it lacks (their match keys with them), and both change logs
// record the merge under by. The customer merged away keeps its row and
// its log, and answers with merged_into. Both rows are locked in id order,
// so merges that cross cannot deadlock, and the second is refused (a
// customer merged away is ECONFLICT as either side). Merging again into
// the same customer changes nothing.
func (db *DB) MergeCustomers(ctx context.Context, id, into, by string) (CustomerMerge, error) {
	var out CustomerMerge
	from, err := uuid.Parse(id)
	if err != nil {
		return out, redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
	}
	to, err := uuid.Parse(into)
	if err != nil || from == to {
		return out, redress.Invalid(redress.FieldError{Field: "into", Message: "must name another customer"})
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
			[]uuid.UUID{from, to})
		if err != nil {
			return err
		}
		locked, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Customer, error) {
			var c redress.Customer
			var uid uuid.UUID
			err := row.Scan(customerFields(&c, &uid)...)
			c.ID = uid.String()
			return c, err
		})
		if err != nil {
			return err
		}
		for i := range locked {
			if err := db.openCustomer(ctx, tx, &locked[i]); err != nil {
				return err
			}
		}
		var old, kept *redress.Customer
		for i := range locked {
			switch locked[i].ID {
			case from.String():
				old = &locked[i]
			case to.String():
				kept = &locked[i]
			}
		}
		switch {
		case old == nil:
			return redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
		case kept == nil:
			return redress.Invalid(redress.FieldError{Field: "into", Message: "names no customer"})
		case old.MergedInto == kept.ID:
			out.Into = kept
			return nil // merged already: the same request again
		case old.MergedInto != "":
			return redress.Errorf(redress.ECONFLICT, "the customer was merged into customer %s already", old.MergedInto)
		case kept.MergedInto != "":
			return redress.Errorf(redress.ECONFLICT, "customer %s was merged into customer %s; merge into that one", kept.ID, kept.MergedInto)
		}
		moved, err := tx.Query(ctx, `UPDATE complaints SET customer_id = $2 WHERE customer_id = $1 RETURNING id::text`, from, to)
		if err != nil {
			return err
		}
		if out.Complaints, err = pgx.CollectRows(moved, pgx.RowTo[string]); err != nil {
			return err
		}
		for _, stmt := range []string{
			`UPDATE purchases SET customer_id = $2 WHERE customer_id = $1`,
			`UPDATE winbacks SET customer_id = $2 WHERE customer_id = $1`,
			`UPDATE coupons SET customer_id = $2 WHERE customer_id = $1`,
			// A redemption's reference is unique per customer: one that the
			// kept customer used too is renamed after where it came from.
			`UPDATE points_ledger l SET reference = l.reference || ' (customer ' || $1::text || ')'
				WHERE l.customer_id = $1 AND l.kind = 'redeemed' AND EXISTS (SELECT FROM points_ledger k
					WHERE k.customer_id = $2 AND k.kind = 'redeemed' AND k.reference = l.reference)`,
			`UPDATE points_ledger SET customer_id = $2 WHERE customer_id = $1`,
			`UPDATE customers SET points = CASE WHEN id = $1 THEN 0 ELSE points + (SELECT points FROM customers WHERE id = $1) END
				WHERE id IN ($1, $2)`,
			`UPDATE customers SET merged_into = $2 WHERE merged_into = $1`,
			`UPDATE customers SET possible_duplicate_of = CASE WHEN id = $2 THEN NULL ELSE $2 END WHERE possible_duplicate_of = $1`,
			`UPDATE customers SET merged_into = $2, merged_at = now(), possible_duplicate_of = NULL WHERE id = $1`,
		} {
			if _, err := tx.Exec(ctx, stmt, from, to); err != nil {
				return err
			}
		}
		out.Into, err = db.takeContacts(ctx, tx, *kept, *old)
		if err != nil {
			return err
		}
		if err := db.recordChange(ctx, tx, old.ID, &redress.CustomerChange{Kind: redress.CustomerMerged,
			Fields: map[string]redress.FieldChange{"merged_into": {To: kept.ID}}}, by, ""); err != nil {
			return err
		}
		fields := customerFieldChanges(*kept, *out.Into)
		fields["merged_from"] = redress.FieldChange{To: old.ID}
		if err := db.recordChange(ctx, tx, kept.ID, &redress.CustomerChange{Kind: redress.CustomerMerged, Fields: fields}, by, ""); err != nil {
			return err
		}
		return appendAudit(ctx, tx, redress.AuditLine{Actor: by, Action: redress.AuditMergeCustomers, Target: "customer:" + old.ID,
			Detail: map[string]any{"into": kept.ID, "complaints": len(out.Complaints)}})
	})
	return out, wrap(err)
}

// takeContacts gives the kept customer the name, e-mail, phone and
// language it lacks from the one merged into it; an e-mail or phone moves
// with its match key, so intake finds the kept customer by it.
func (db *DB) takeContacts(ctx context.Context, tx pgx.Tx, kept, old redress.Customer) (*redress.Customer, error) {
	next := kept
	next.Name = given(kept.Name, old.Name)
	next.Email = given(kept.Email, old.Email)
	next.Phone = given(kept.Phone, old.Phone)
	next.Language = given(kept.Language, old.Language)
	if next.PossibleDuplicateOf == old.ID {
		next.PossibleDuplicateOf = ""
	}
	moveEmail, movePhone := kept.Email == "" && old.Email != "", kept.Phone == "" && old.Phone != ""
	if _, err := tx.Exec(ctx, `UPDATE customers SET
			email_key = CASE WHEN $2 THEN NULL ELSE email_key END, phone_key = CASE WHEN $3 THEN NULL ELSE phone_key END
		WHERE id = $1`, old.ID, moveEmail, movePhone); err != nil {
		return nil, err
	}
	sealed, err := db.sealCustomer(ctx, tx, next)
	if err != nil {
		return nil, err
	}
	ix, err := db.indexKey(ctx, tx)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `UPDATE customers SET name = $2, email = $3, phone = $4, language = $5,
			possible_duplicate_of = nullif($6, '')::uuid,
			email_key = CASE WHEN $7 THEN (SELECT nullif($9, '') WHERE NOT EXISTS
				(SELECT FROM customers o WHERE o.email_key = ANY($11))) ELSE email_key END,
			phone_key = CASE WHEN $8 THEN (SELECT nullif($10, '') WHERE NOT EXISTS
				(SELECT FROM customers o WHERE o.phone_key = ANY($12))) ELSE phone_key END,
			email_hash = nullif($9, ''), search_grams = $13
		WHERE id = $1`, kept.ID, sealed.name, sealed.email, sealed.phone, next.Language, next.PossibleDuplicateOf, moveEmail, movePhone,
		sealed.emailHash, sealed.phoneHash, emailKeys(ix, next.Email), phoneKeys(ix, next.Phone), sealed.grams)
	return &next, err
}

// customerFieldChanges are the details that differ from before to after.
func customerFieldChanges(before, after redress.Customer) map[string]redress.FieldChange {
	was, now := customerDetails(before), customerDetails(after)
	fields := map[string]redress.FieldChange{}
	for name, value := range now {
		if value != was[name] {
			fields[name] = redress.FieldChange{From: was[name], To: value}
		}
	}
	return fields
}

// resolveMerged is the customer that c became, when c was merged into
// another (merged_into is always the last of a chain); c itself otherwise.
func (db *DB) resolveMerged(ctx context.Context, q querier, c *redress.Customer, lock string) (*redress.Customer, error) {
	if c.MergedInto == "" {
		return c, nil
	}
	return db.readCustomer(ctx, q, c.MergedInto, lock)
}

// MergedCustomers are the customers merged into the customer id.
func (db *DB) MergedCustomers(ctx context.Context, id string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM customers WHERE merged_into::text = $1 ORDER BY id`, id)
	if err != nil {
		return nil, wrap(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap(err)
}
