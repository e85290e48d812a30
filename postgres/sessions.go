package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// StaffSession is a signed-in person's session in the console.
type StaffSession struct {
	User       redress.StaffUser
	Language   string // the person's chosen language; "" follows the browser
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// StaffLogin is what a sign-in checks: the account and its password hash.
type StaffLogin struct {
	User         redress.StaffUser
	PasswordHash []byte
}

// StaffLoginByEmail finds an account to sign in; an unknown e-mail is
// ENOTFOUND.
func (db *DB) StaffLoginByEmail(ctx context.Context, email string) (*StaffLogin, error) {
	var l StaffLogin
	var id uuid.UUID
	err := db.pool.QueryRow(ctx, `SELECT id, email, name, role, disabled_at IS NOT NULL, created_at, password_hash
		FROM staff_users WHERE email = $1`, email).Scan(&id, &l.User.Email, &l.User.Name, &l.User.Role,
		&l.User.Disabled, &l.User.CreatedAt, &l.PasswordHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, redress.Errorf(redress.ENOTFOUND, "no account for %s", email)
	}
	if err != nil {
		return nil, wrap(err)
	}
	l.User.ID = id.String()
	return &l, nil
}

// StartStaffSession stores a new session under the hash of its cookie.
func (db *DB) StartStaffSession(ctx context.Context, tokenHash []byte, userID, csrfToken string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO staff_sessions (token_hash, user_id, csrf_token) VALUES ($1, $2, $3)`,
		tokenHash, userID, csrfToken)
	return wrap(err)
}

// StaffSession finds a live session: its person enabled, seen within idle
// and started within lifetime. Anything else is ENOTFOUND. With touch, the
// session's last sight moves to now when it is older than a minute, so a
// busy page costs one write a minute; a live stream's checks do not touch,
// so an open tab alone does not keep a session.
func (db *DB) StaffSession(ctx context.Context, tokenHash []byte, idle, lifetime time.Duration, touch bool) (*StaffSession, error) {
	var s StaffSession
	var id uuid.UUID
	err := db.pool.QueryRow(ctx, `
		WITH found AS (
			SELECT s.token_hash, s.csrf_token, s.created_at, s.last_seen_at, u.id, u.email, u.name, u.role, u.language, u.created_at AS user_created_at
			FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
			WHERE s.token_hash = $1 AND u.disabled_at IS NULL
			  AND s.last_seen_at > now() - $2 * interval '1 second' AND s.created_at > now() - $3 * interval '1 second'),
		touched AS (
			UPDATE staff_sessions SET last_seen_at = now()
			WHERE $4 AND token_hash = (SELECT token_hash FROM found) AND last_seen_at < now() - interval '1 minute')
		SELECT id, email, name, role, language, user_created_at, csrf_token, created_at, last_seen_at FROM found`,
		tokenHash, idle.Seconds(), lifetime.Seconds(), touch).Scan(&id, &s.User.Email, &s.User.Name, &s.User.Role, &s.Language,
		&s.User.CreatedAt, &s.CSRFToken, &s.CreatedAt, &s.LastSeenAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, redress.Errorf(redress.ENOTFOUND, "no such session")
	}
	if err != nil {
		return nil, wrap(err)
	}
	s.User.ID = id.String()
	return &s, nil
}

// EndStaffSession signs a session out.
func (db *DB) EndStaffSession(ctx context.Context, tokenHash []byte) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE token_hash = $1`, tokenHash)
	return wrap(err)
}

// DropIdleStaffSessions deletes sessions that can no longer sign anyone in.
func (db *DB) DropIdleStaffSessions(ctx context.Context, idle, lifetime time.Duration) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE last_seen_at < now() - $1 * interval '1 second' OR created_at < now() - $2 * interval '1 second'`,
		idle.Seconds(), lifetime.Seconds())
	return wrap(err)
}

// SetStaffLanguage keeps a person's language ("" follows the browser).
func (db *DB) SetStaffLanguage(ctx context.Context, userID, language string) error {
	_, err := db.pool.Exec(ctx, `UPDATE staff_users SET language = $2 WHERE id = $1`, userID, language)
	return wrap(err)
}
