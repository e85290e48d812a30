package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/redress-dev/redress"
)

// AddStaffUser stores a new account, recorded in the audit log as made by
// by; an e-mail already taken is ECONFLICT.
func (db *DB) AddStaffUser(ctx context.Context, u redress.StaffUser, passwordHash []byte, by string) (*redress.StaffUser, error) {
	id := uuid.Must(uuid.NewV7())
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO staff_users (id, email, name, role, password_hash)
			VALUES ($1, $2, $3, $4, $5) RETURNING created_at`, id, u.Email, u.Name, u.Role, passwordHash).Scan(&u.CreatedAt); err != nil {
			return err
		}
		return appendAudit(ctx, tx, redress.AuditLine{Actor: by, Action: redress.AuditUserChange, Target: "user:" + u.Email,
			Detail: map[string]any{"change": "added", "role": u.Role}})
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return nil, redress.Errorf(redress.ECONFLICT, "%s already has an account", u.Email)
	}
	if err != nil {
		return nil, wrap(err)
	}
	u.ID, u.CreatedAt = id.String(), u.CreatedAt.UTC()
	return &u, nil
}

// StaffUsers lists every account, by e-mail.
func (db *DB) StaffUsers(ctx context.Context) ([]redress.StaffUser, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, email, name, role, disabled_at IS NOT NULL, created_at
		FROM staff_users ORDER BY email`)
	if err != nil {
		return nil, wrap(err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.StaffUser, error) {
		var u redress.StaffUser
		var id uuid.UUID
		err := row.Scan(&id, &u.Email, &u.Name, &u.Role, &u.Disabled, &u.CreatedAt)
		u.ID, u.CreatedAt = id.String(), u.CreatedAt.UTC()
		return u, err
	})
	return users, wrap(err)
}

// DisableStaffUser stops an account from signing in and signs it out
// everywhere, recorded in the audit log as done by by; an unknown e-mail
// is ENOTFOUND.
func (db *DB) DisableStaffUser(ctx context.Context, email, by string) error {
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var id uuid.UUID
		err := tx.QueryRow(ctx, `UPDATE staff_users SET disabled_at = coalesce(disabled_at, now()) WHERE email = $1 RETURNING id`,
			email).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return redress.Errorf(redress.ENOTFOUND, "no account for %s", email)
		}
		if err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, redress.AuditLine{Actor: by, Action: redress.AuditUserChange, Target: "user:" + email,
			Detail: map[string]any{"change": "disabled"}}); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM staff_sessions WHERE user_id = $1`, id)
		return err
	}))
}
