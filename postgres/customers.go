package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

const customerColumns = `id, coalesce(external_id, ''), name, email, phone, tier, created_at`

func scanCustomer(row pgx.Row) (*redress.Customer, error) {
	var c redress.Customer
	var id uuid.UUID
	if err := row.Scan(&id, &c.ExternalID, &c.Name, &c.Email, &c.Phone, &c.Tier, &c.CreatedAt); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, redress.Errorf(redress.ENOTFOUND, "no such customer")
		}
		return nil, wrap(err)
	}
	c.ID = id.String()
	return &c, nil
}

// Customer returns the customer with the given id.
func (db *DB) Customer(ctx context.Context, id string) (*redress.Customer, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
	}
	c, err := scanCustomer(db.pool.QueryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, uid))
	if redress.ErrorCode(err) == redress.ENOTFOUND {
		return nil, redress.Errorf(redress.ENOTFOUND, "no customer %q", id)
	}
	return c, err
}

// UpsertCustomer creates a customer, or, when one with the same external id
// exists, brings the details that were given up to date and returns it.
// created says which. An empty tier means standard for a new customer and
// no change for a known one.
func (db *DB) UpsertCustomer(ctx context.Context, c redress.Customer) (*redress.Customer, bool, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, false, err
	}
	var externalID *string
	if c.ExternalID != "" {
		externalID = &c.ExternalID
	}
	// xmax = 0 only on a freshly inserted row: it tells a create from a match.
	row := db.pool.QueryRow(ctx, `
		INSERT INTO customers (id, external_id, name, email, phone, tier)
		VALUES ($1, $2, $3, $4, $5, coalesce(nullif($6::text, ''), 'standard'))
		ON CONFLICT (external_id) DO UPDATE SET
			name  = CASE WHEN excluded.name  <> '' THEN excluded.name  ELSE customers.name END,
			email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE customers.email END,
			phone = CASE WHEN excluded.phone <> '' THEN excluded.phone ELSE customers.phone END,
			tier  = CASE WHEN $6::text <> '' THEN $6::text ELSE customers.tier END
		RETURNING `+customerColumns+`, xmax = 0`,
		id, externalID, c.Name, c.Email, c.Phone, c.Tier)
	var out redress.Customer
	var uid uuid.UUID
	var created bool
	if err := row.Scan(&uid, &out.ExternalID, &out.Name, &out.Email, &out.Phone, &out.Tier, &out.CreatedAt, &created); err != nil {
		return nil, false, wrap(err)
	}
	out.ID = uid.String()
	return &out, created, nil
}
