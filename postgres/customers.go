package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/redress-dev/redress"
)

const customerColumns = `id, coalesce(external_id, ''), name, email, phone, tier, created_at`

// querier is what a pool and a transaction share for reads.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// customerFields are the scan targets of customerColumns; the id is set
// from uid once scanned.
func customerFields(c *redress.Customer, uid *uuid.UUID) []any {
	return []any{uid, &c.ExternalID, &c.Name, &c.Email, &c.Phone, &c.Tier, &c.CreatedAt}
}

func customerByID(ctx context.Context, q querier, id string) (*redress.Customer, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
	}
	var c redress.Customer
	err = q.QueryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, uid).Scan(customerFields(&c, &uid)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
	}
	if err != nil {
		return nil, wrap(err)
	}
	c.ID = uid.String()
	return &c, nil
}

// Customer returns the customer with the given id.
func (db *DB) Customer(ctx context.Context, id string) (*redress.Customer, error) {
	return customerByID(ctx, db.pool, id)
}

// CustomerChanges returns the recorded changes to a customer, oldest first.
func (db *DB) CustomerChanges(ctx context.Context, id string) ([]redress.CustomerChange, error) {
	rows, err := db.pool.Query(ctx, `SELECT at, kind, source, coalesce(complaint_id::text, ''), fields
		FROM customer_changes WHERE customer_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, wrap(err)
	}
	changes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.CustomerChange, error) {
		var ch redress.CustomerChange
		err := row.Scan(&ch.At, &ch.Kind, &ch.Source, &ch.ComplaintID, &ch.Fields)
		ch.At = ch.At.UTC()
		return ch, err
	})
	return changes, wrap(err)
}

// UpsertCustomer matches the described customer or creates it, as
// matchCustomer does, and records the change under the caller's name.
// created says which.
func (db *DB) UpsertCustomer(ctx context.Context, want redress.Customer, caller string) (*redress.Customer, bool, error) {
	var cu *redress.Customer
	var change *redress.CustomerChange
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var err error
		if cu, change, err = matchCustomer(ctx, tx, want); err != nil {
			return err
		}
		return recordChange(ctx, tx, cu.ID, change, caller, "")
	})
	if err != nil {
		return nil, false, wrap(err)
	}
	return cu, change != nil && change.Kind == redress.CustomerCreated, nil
}

// matchAttempts bounds the retries of a match that lost a race: a concurrent
// request created a customer or took a key first.
const matchAttempts = 3

// matchCustomer finds the customer that the described one is, by external id,
// else e-mail, else phone (normalised: see migration 0004), brings the details
// that were given up to date and returns it with the change made (nil when
// nothing changed). With no match it creates the customer, tier standard
// unless given. Keys that match different customers, or a customer whose
// external id differs from the given one, are an ECONFLICT: merging
// customers is a person's decision.
func matchCustomer(ctx context.Context, tx pgx.Tx, want redress.Customer) (cu *redress.Customer, change *redress.CustomerChange, err error) {
	for range matchAttempts {
		// A savepoint: a lost race undoes this attempt only. The unique index
		// made the loser wait for the winner's commit, so the next attempt
		// sees the winner's customer.
		err = pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			cu, change, err = matchOnce(ctx, sp, want)
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
func matchOnce(ctx context.Context, tx pgx.Tx, want redress.Customer) (*redress.Customer, *redress.CustomerChange, error) {
	// The matches are locked until the transaction ends, in id order so that
	// two requests over the same customers do not deadlock; NO KEY lets
	// complaints that reference a locked customer be filed meanwhile.
	rows, err := tx.Query(ctx, `SELECT `+customerColumns+`, coalesce(external_id = $1, false),
			coalesce(email_key = customer_email_key($2), false), coalesce(phone_key = customer_phone_key($3), false)
		FROM customers
		WHERE external_id = $1 OR email_key = customer_email_key($2) OR phone_key = customer_phone_key($3)
		ORDER BY id FOR NO KEY UPDATE`, nullIfEmpty(want.ExternalID), want.Email, want.Phone)
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
	switch {
	case len(matches) == 0:
		return createCustomer(ctx, tx, want)
	case len(matches) > 1:
		var found []string
		for _, m := range matches {
			found = append(found, fmt.Sprintf("the %s matches customer %s", m.keys(), m.customer.ID))
		}
		return nil, nil, redress.Errorf(redress.ECONFLICT, "these details describe different customers: %s; "+
			"send the details of one customer (customers are never merged on their own)", strings.Join(found, ", "))
	}
	m := matches[0]
	if want.ExternalID != "" && m.customer.ExternalID != "" && !m.byExternalID {
		return nil, nil, redress.Errorf(redress.ECONFLICT, "the %s matches customer %s, whose external_id is %q, not %q",
			m.keys(), m.customer.ID, m.customer.ExternalID, want.ExternalID)
	}
	return updateCustomer(ctx, tx, m, want)
}

// keys names the keys that found the customer.
func (m keyMatch) keys() string {
	var keys []string
	for _, k := range []struct {
		matched bool
		name    string
	}{{m.byExternalID, "external_id"}, {m.byEmail, "email"}, {m.byPhone, "phone"}} {
		if k.matched {
			keys = append(keys, k.name)
		}
	}
	return strings.Join(keys, " and ")
}

func createCustomer(ctx context.Context, tx pgx.Tx, want redress.Customer) (*redress.Customer, *redress.CustomerChange, error) {
	if want.Tier == "" {
		want.Tier = redress.TierStandard
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, nil, err
	}
	var c redress.Customer
	err = tx.QueryRow(ctx, `INSERT INTO customers (id, external_id, name, email, phone, tier, email_key, phone_key)
		VALUES ($1, $2, $3, $4, $5, $6, customer_email_key($4), customer_phone_key($5))
		RETURNING `+customerColumns,
		id, nullIfEmpty(want.ExternalID), want.Name, want.Email, want.Phone, want.Tier).Scan(customerFields(&c, &id)...)
	if err != nil {
		return nil, nil, err
	}
	c.ID = id.String()
	change := &redress.CustomerChange{Kind: redress.CustomerCreated, Fields: map[string]redress.FieldChange{}}
	for name, value := range customerDetails(c) {
		if value != "" {
			change.Fields[name] = redress.FieldChange{To: value}
		}
	}
	return &c, change, nil
}

// updateCustomer writes the details that were given over the matched
// customer's (an empty one leaves the field as it is), and sets an external
// id the customer did not have. An e-mail or phone that matched is the same
// one: its stored spelling stays.
func updateCustomer(ctx context.Context, tx pgx.Tx, m keyMatch, want redress.Customer) (*redress.Customer, *redress.CustomerChange, error) {
	c := m.customer
	before := customerDetails(c)
	next := c
	if next.ExternalID == "" {
		next.ExternalID = want.ExternalID
	}
	next.Name = given(want.Name, c.Name)
	if !m.byEmail {
		next.Email = given(want.Email, c.Email)
	}
	if !m.byPhone {
		next.Phone = given(want.Phone, c.Phone)
	}
	next.Tier = redress.Tier(given(string(want.Tier), string(c.Tier)))
	change := &redress.CustomerChange{Kind: redress.CustomerUpdated, Fields: map[string]redress.FieldChange{}}
	for name, value := range customerDetails(next) {
		if value != before[name] {
			change.Fields[name] = redress.FieldChange{From: before[name], To: value}
		}
	}
	if len(change.Fields) == 0 {
		return &c, nil, nil
	}
	// A key follows its e-mail or phone; an unchanged one keeps its key, or
	// its lack of one (migration 0004).
	_, err := tx.Exec(ctx, `UPDATE customers SET external_id = $2, name = $3, email = $4, phone = $5, tier = $6,
			email_key = CASE WHEN email = $4 THEN email_key ELSE customer_email_key($4) END,
			phone_key = CASE WHEN phone = $5 THEN phone_key ELSE customer_phone_key($5) END
		WHERE id = $1`, c.ID, nullIfEmpty(next.ExternalID), next.Name, next.Email, next.Phone, next.Tier)
	if err != nil {
		return nil, nil, err
	}
	return &next, change, nil
}

// given is the value a request gave, or the current one when it gave none.
func given(value, current string) string {
	if value != "" {
		return value
	}
	return current
}

// customerDetails are the fields a change records, by their API names.
func customerDetails(c redress.Customer) map[string]string {
	return map[string]string{"external_id": c.ExternalID, "name": c.Name, "email": c.Email,
		"phone": c.Phone, "tier": string(c.Tier)}
}

// recordChange stores a change to a customer, if there was one, with its source.
func recordChange(ctx context.Context, tx pgx.Tx, customerID string, change *redress.CustomerChange, source, complaintID string) error {
	if change == nil {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO customer_changes (customer_id, kind, source, complaint_id, fields)
		VALUES ($1, $2, $3, nullif($4, '')::uuid, $5)`, customerID, change.Kind, source, complaintID, change.Fields)
	return err
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
