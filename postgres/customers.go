package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/redress-dev/redress"
)

const customerColumns = `id, coalesce(external_id, ''), name, email, phone, tier, tier_pinned, points, language,
	coalesce(possible_duplicate_of::text, ''), coalesce(merged_into::text, ''), merged_at, created_at,
	erasure_requested_at, erased_at`

// querier is what a pool and a transaction share for reads.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// customerFields are the scan targets of customerColumns; the id is set
// from uid once scanned.
func customerFields(c *redress.Customer, uid *uuid.UUID) []any {
	return []any{uid, &c.ExternalID, &c.Name, &c.Email, &c.Phone, &c.Tier, &c.TierPinned, &c.Points, &c.Language, &c.PossibleDuplicateOf,
		&c.MergedInto, &c.MergedAt, &c.CreatedAt, erasureFields{c}, &c.ErasedAt}
}

// erasureFields scans erasure_requested_at into a customer's Erasure;
// ErasedAt is scanned beside it and completes the erasure once read.
type erasureFields struct{ c *redress.Customer }

func (f erasureFields) Scan(src any) error {
	if src == nil {
		f.c.Erasure = nil
		return nil
	}
	at, ok := src.(time.Time)
	if !ok {
		return fmt.Errorf("erasure_requested_at: %T", src)
	}
	f.c.Erasure = &redress.Erasure{Status: redress.ErasureRequested, RequestedAt: at.UTC()}
	return nil
}

func (db *DB) customerByID(ctx context.Context, q querier, id string) (*redress.Customer, error) {
	return db.readCustomer(ctx, q, id, "")
}

// lockCustomer reads a customer and locks its row until the transaction ends.
func (db *DB) lockCustomer(ctx context.Context, tx pgx.Tx, id string) (*redress.Customer, error) {
	return db.readCustomer(ctx, tx, id, " FOR UPDATE")
}

func (db *DB) readCustomer(ctx context.Context, q querier, id, lock string) (*redress.Customer, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
	}
	var c redress.Customer
	err = q.QueryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`+lock, uid).Scan(customerFields(&c, &uid)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
	}
	if err != nil {
		return nil, wrap(err)
	}
	c.ID = uid.String()
	if err := db.openCustomer(ctx, q, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Customer returns the customer with the given id.
func (db *DB) Customer(ctx context.Context, id string) (*redress.Customer, error) {
	return db.customerByID(ctx, db.pool, id)
}

// CustomerChanges returns the recorded changes to a customer, oldest first.
func (db *DB) CustomerChanges(ctx context.Context, id string) ([]redress.CustomerChange, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, at, kind, source, coalesce(complaint_id::text, ''), fields, reason
		FROM customer_changes WHERE customer_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, wrap(err)
	}
	changes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.CustomerChange, error) {
		var ch redress.CustomerChange
		var changeID int64
		var fields []byte
		if err := row.Scan(&changeID, &ch.At, &ch.Kind, &ch.Source, &ch.ComplaintID, &fields, &ch.Reason); err != nil {
			return ch, err
		}
		ch.At = ch.At.UTC()
		return ch, db.openJSON(ctx, db.pool, place("customer_changes.fields", changeID), fields, &ch.Fields)
	})
	return changes, wrap(err)
}

// UpsertCustomer matches the described customer, filling in what it lacks,
// or creates it, as matchCustomer does, and records the change under the
// caller's name. created says which.
func (db *DB) UpsertCustomer(ctx context.Context, want redress.Customer, caller string) (*redress.Customer, bool, error) {
	var cu *redress.Customer
	var change *redress.CustomerChange
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var err error
		if cu, change, err = db.matchCustomer(ctx, tx, want); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, cu.ID, change, caller, "")
	})
	if err != nil {
		return nil, false, wrap(err)
	}
	return cu, change != nil && change.Kind == redress.CustomerCreated, nil
}

// matchAttempts bounds the retries of a match that lost a race: a concurrent
// request created a customer or took a key first.
const matchAttempts = 3

// matchCustomer finds the customer that the described one is and fills in
// the details it lacks, or creates it; it returns the customer with the
// change made (nil when nothing changed). It never refuses a customer over
// its details: the rule is identityRule's.
func (db *DB) matchCustomer(ctx context.Context, tx pgx.Tx, want redress.Customer) (cu *redress.Customer, change *redress.CustomerChange, err error) {
	for range matchAttempts {
		// A savepoint: a lost race undoes this attempt only. The unique index
		// made the loser wait for the winner's commit, so the next attempt
		// sees the winner's customer.
		err = pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			cu, change, err = db.matchOnce(ctx, sp, want)
			return err
		})
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			return cu, change, err
		}
	}
	return nil, nil, redress.Errorf(redress.EUNAVAILABLE, "the customer is being changed by concurrent requests; retry")
}

// keyMatch is a customer that a described customer's keys found, and which keys.
type keyMatch struct {
	customer                       redress.Customer
	byExternalID, byEmail, byPhone bool
}

// matchOnce is one attempt of matchCustomer.
func (db *DB) matchOnce(ctx context.Context, tx pgx.Tx, want redress.Customer) (*redress.Customer, *redress.CustomerChange, error) {
	ix, err := db.indexKey(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	// The matches are locked until the transaction ends, in id order so that
	// two requests over the same customers do not deadlock; NO KEY lets
	// complaints that reference a locked customer be filed meanwhile.
	rows, err := tx.Query(ctx, `SELECT `+customerColumns+`, coalesce(external_id = $1, false),
			coalesce(email_key = ANY($2), false), coalesce(phone_key = ANY($3), false)
		FROM customers
		WHERE external_id = $1 OR email_key = ANY($2) OR phone_key = ANY($3)
		ORDER BY id FOR NO KEY UPDATE`, nullIfEmpty(want.ExternalID), emailKeys(ix, want.Email), phoneKeys(ix, want.Phone))
	if err != nil {
		return nil, nil, err
	}
	matches, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (keyMatch, error) {
		var m keyMatch
		var uid uuid.UUID
		err := row.Scan(append(customerFields(&m.customer, &uid), &m.byExternalID, &m.byEmail, &m.byPhone)...)
		m.customer.ID = uid.String()
		return m, err
	})
	if err != nil {
		return nil, nil, err
	}
	for i := range matches {
		if err := db.openCustomer(ctx, tx, &matches[i].customer); err != nil {
			return nil, nil, err
		}
	}
	d := identityRule(want, matches)
	// A customer merged into another is that customer now, as a match and
	// as the one a new customer may duplicate.
	if d.existing != nil {
		if d.existing, err = db.resolveMerged(ctx, tx, d.existing, " FOR NO KEY UPDATE"); err != nil {
			return nil, nil, err
		}
	}
	for _, m := range matches {
		if m.customer.ID == d.possibleDuplicateOf && m.customer.MergedInto != "" {
			d.possibleDuplicateOf = m.customer.MergedInto
		}
		// A key the customer merged away still holds is not the kept one's
		// to take.
		if d.existing != nil && m.customer.ID != d.existing.ID {
			d.emailFree = d.emailFree && !m.byEmail
			d.phoneFree = d.phoneFree && !m.byPhone
		}
	}
	if d.existing != nil && d.possibleDuplicateOf == d.existing.ID {
		d.possibleDuplicateOf = ""
	}
	if d.existing == nil {
		return db.createCustomer(ctx, tx, want, d)
	}
	return db.fillCustomer(ctx, tx, *d.existing, want, d)
}

// identity is what identityRule decided for a described customer: the
// existing customer it is (nil: a new one), whether its e-mail and phone
// are free to be matched by, and the customer it may be a duplicate of.
type identity struct {
	existing             *redress.Customer
	emailFree, phoneFree bool
	possibleDuplicateOf  string
}

// identityRule decides who a described customer is, given the customers its
// keys found. The external id decides: the customer that has it, else the
// one the e-mail (else the phone) finds if that one has no external id yet;
// a customer with another external id is another customer, so a new one is
// made and marked as its possible duplicate. Without an external id the
// e-mail, else the phone, finds the customer. An e-mail or phone that
// another customer has stays theirs: the customer found or made keeps it
// only as a detail, and is marked as that customer's possible duplicate.
func identityRule(want redress.Customer, matches []keyMatch) identity {
	var byExternalID, byEmail, byPhone *redress.Customer
	for i := range matches {
		m := &matches[i]
		if m.byExternalID {
			byExternalID = &m.customer
		}
		if m.byEmail {
			byEmail = &m.customer
		}
		if m.byPhone {
			byPhone = &m.customer
		}
	}
	var d identity
	switch {
	case byExternalID != nil:
		d.existing = byExternalID
	case byEmail != nil && (want.ExternalID == "" || byEmail.ExternalID == ""):
		d.existing = byEmail
	case byEmail == nil && byPhone != nil && (want.ExternalID == "" || byPhone.ExternalID == ""):
		d.existing = byPhone
	}
	isOther := func(c *redress.Customer) bool { return c != nil && (d.existing == nil || c.ID != d.existing.ID) }
	d.emailFree, d.phoneFree = !isOther(byEmail), !isOther(byPhone)
	for _, other := range []*redress.Customer{byEmail, byPhone} {
		if isOther(other) && d.possibleDuplicateOf == "" {
			d.possibleDuplicateOf = other.ID
		}
	}
	return d
}

func (db *DB) createCustomer(ctx context.Context, tx pgx.Tx, want redress.Customer, d identity) (*redress.Customer, *redress.CustomerChange, error) {
	if want.Tier == "" {
		want.Tier = redress.TierStandard
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, nil, err
	}
	want.ID = id.String()
	sealed, err := db.sealCustomer(ctx, tx, want)
	if err != nil {
		return nil, nil, err
	}
	var c redress.Customer
	err = tx.QueryRow(ctx, `INSERT INTO customers (id, external_id, name, email, phone, tier, language, possible_duplicate_of,
			email_key, phone_key, email_hash, search_grams)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN nullif($11, '') END,
			CASE WHEN $10 THEN nullif($12, '') END, nullif($11, ''), $13)
		RETURNING `+customerColumns,
		id, nullIfEmpty(want.ExternalID), sealed.name, sealed.email, sealed.phone, want.Tier, want.Language,
		nullIfEmpty(d.possibleDuplicateOf), d.emailFree, d.phoneFree, sealed.emailHash, sealed.phoneHash, sealed.grams).Scan(customerFields(&c, &id)...)
	if err != nil {
		return nil, nil, err
	}
	c.ID = id.String()
	c.Name, c.Email, c.Phone = want.Name, want.Email, want.Phone
	change := &redress.CustomerChange{Kind: redress.CustomerCreated, Fields: map[string]redress.FieldChange{}}
	for name, value := range customerDetails(c) {
		if value != "" {
			change.Fields[name] = redress.FieldChange{To: value}
		}
	}
	return &c, change, nil
}

// fillCustomer gives the matched customer the details it lacks (an external
// id, a name, an e-mail, a phone, a language) and never replaces one it has;
// its tier is never an intake's to change. A filled e-mail or phone that
// another customer has is kept without its match key.
func (db *DB) fillCustomer(ctx context.Context, tx pgx.Tx, c redress.Customer, want redress.Customer, d identity) (*redress.Customer, *redress.CustomerChange, error) {
	next := c
	next.ExternalID = given(c.ExternalID, want.ExternalID)
	next.Name = given(c.Name, want.Name)
	next.Email = given(c.Email, want.Email)
	next.Phone = given(c.Phone, want.Phone)
	next.Language = given(c.Language, want.Language)
	if next.PossibleDuplicateOf == "" {
		next.PossibleDuplicateOf = d.possibleDuplicateOf
	}
	change := &redress.CustomerChange{Kind: redress.CustomerUpdated, Fields: customerFieldChanges(c, next)}
	if len(change.Fields) == 0 {
		return &c, nil, nil
	}
	sealed, err := db.sealCustomer(ctx, tx, next)
	if err != nil {
		return nil, nil, err
	}
	// A key comes with a filled e-mail or phone that no other customer has;
	// one already stored keeps its key, or its lack of one (migration 0004).
	_, err = tx.Exec(ctx, `UPDATE customers SET external_id = $2, name = $3, email = $4, phone = $5, language = $6,
			possible_duplicate_of = $7,
			email_key = CASE WHEN email = '' AND $8 THEN nullif($10, '') ELSE email_key END,
			phone_key = CASE WHEN phone = '' AND $9 THEN nullif($11, '') ELSE phone_key END,
			email_hash = CASE WHEN email = '' THEN nullif($10, '') ELSE email_hash END, search_grams = $12
		WHERE id = $1`, c.ID, nullIfEmpty(next.ExternalID), sealed.name, sealed.email, sealed.phone, next.Language,
		nullIfEmpty(next.PossibleDuplicateOf), d.emailFree, d.phoneFree, sealed.emailHash, sealed.phoneHash, sealed.grams)
	if err != nil {
		return nil, nil, err
	}
	return &next, change, nil
}

// given is the current value, or the one a request gave when there is none.
func given(current, value string) string {
	if current != "" {
		return current
	}
	return value
}

// customerDetails are the fields a change records, by their API names.
func customerDetails(c redress.Customer) map[string]string {
	return map[string]string{"external_id": c.ExternalID, "name": c.Name, "email": c.Email,
		"phone": c.Phone, "tier": string(c.Tier), "language": c.Language, "possible_duplicate_of": c.PossibleDuplicateOf}
}

// recordChange stores a change to a customer, if there was one, with its
// source; the changed values are sealed with the row's id, taken first.
func (db *DB) recordChange(ctx context.Context, tx pgx.Tx, customerID string, change *redress.CustomerChange, source, complaintID string) error {
	if change == nil {
		return nil
	}
	var id int64
	if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('customer_changes', 'id'))`).Scan(&id); err != nil {
		return err
	}
	fields, err := db.sealJSON(ctx, tx, customerID, place("customer_changes.fields", id), change.Fields)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO customer_changes (id, customer_id, kind, source, complaint_id, fields, reason)
		OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, nullif($5, '')::uuid, $6, $7)`, id, customerID, change.Kind, source, complaintID, fields, change.Reason)
	return err
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// EditCustomer makes a staff change to a customer's details and records it
// under the caller's name. An e-mail or phone that another customer is
// found by is an ECONFLICT naming that customer: two customers are made
// one by a merge, not by an edit.
func (db *DB) EditCustomer(ctx context.Context, id string, edit redress.CustomerEdit, caller string) (*redress.Customer, error) {
	var next redress.Customer
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		c, err := db.lockCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		next = edit.Apply(*c)
		before, after := customerDetails(*c), customerDetails(next)
		before["tier_pinned"], after["tier_pinned"] = strconv.FormatBool(c.TierPinned), strconv.FormatBool(next.TierPinned)
		change := &redress.CustomerChange{Kind: redress.CustomerEdited, Fields: map[string]redress.FieldChange{}}
		for name, value := range after {
			if value != before[name] {
				change.Fields[name] = redress.FieldChange{From: before[name], To: value}
			}
		}
		if len(change.Fields) == 0 {
			return nil
		}
		ix, err := db.indexKey(ctx, tx)
		if err != nil {
			return err
		}
		_, emailChanged := change.Fields["email"]
		_, phoneChanged := change.Fields["phone"]
		for _, key := range []struct {
			field   string
			changed bool
			keys    []string
		}{{"email", emailChanged, emailKeys(ix, next.Email)}, {"phone", phoneChanged, phoneKeys(ix, next.Phone)}} {
			if !key.changed || len(key.keys) == 0 {
				continue
			}
			var other uuid.UUID
			err := tx.QueryRow(ctx, `SELECT id FROM customers WHERE `+key.field+`_key = ANY($1) AND id <> $2`,
				key.keys, c.ID).Scan(&other)
			if err == nil {
				return redress.Errorf(redress.ECONFLICT, "customer %s is found by this %s; merge the two customers instead", other, key.field)
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		sealed, err := db.sealCustomer(ctx, tx, next)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE customers SET name = $2, email = $3, phone = $4, tier = $5, language = $6,
				possible_duplicate_of = $7, tier_pinned = $13, tier_below_since = CASE WHEN $13 THEN NULL ELSE tier_below_since END,
				email_key = CASE WHEN $8 THEN nullif($10, '') ELSE email_key END,
				phone_key = CASE WHEN $9 THEN nullif($11, '') ELSE phone_key END,
				email_hash = nullif($10, ''), search_grams = $12
			WHERE id = $1`, c.ID, sealed.name, sealed.email, sealed.phone, next.Tier, next.Language,
			nullIfEmpty(next.PossibleDuplicateOf), emailChanged, phoneChanged, sealed.emailHash, sealed.phoneHash, sealed.grams, next.TierPinned); err != nil {
			return err
		}
		if err := db.recordChange(ctx, tx, c.ID, change, caller, ""); err != nil {
			return err
		}
		fields := []string{}
		for name := range change.Fields {
			fields = append(fields, name)
		}
		slices.Sort(fields)
		return appendAudit(ctx, tx, redress.AuditLine{Actor: caller, Action: redress.AuditEditCustomer, Target: "customer:" + c.ID,
			Detail: map[string]any{"fields": strings.Join(fields, ",")}})
	})
	if err != nil {
		return nil, wrap(err)
	}
	return &next, nil
}
