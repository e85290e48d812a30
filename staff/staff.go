// Package staff manages the accounts of the people who sign in to the
// console: their e-mail, name, role and password, kept as a bcrypt hash.
// The CLI and the dev stack create them here.
package staff

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// MinPasswordLength is the shortest password an account may have; bcrypt
// reads no more than 72 bytes.
const (
	MinPasswordLength = 12
	maxPasswordBytes  = 72
)

// Add creates an account after checking every field, recorded in the
// audit log as made by by; the error names the field at fault.
func Add(ctx context.Context, db *postgres.DB, email, name, role, password, by string) (*redress.StaffUser, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != strings.TrimSpace(email) {
		return nil, redress.Errorf(redress.EINVALID, "email: %q is not an e-mail address like ana@example.com", email)
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return nil, redress.Errorf(redress.EINVALID, "name: give the person's name (at most 200 characters)")
	}
	if !slices.Contains(redress.StaffRoles, role) {
		return nil, redress.Errorf(redress.EINVALID, "role: %q is not one of %s", role, strings.Join(redress.StaffRoles, ", "))
	}
	if utf8.RuneCountInString(password) < MinPasswordLength || len(password) > maxPasswordBytes {
		return nil, redress.Errorf(redress.EINVALID, "password: must be %d characters or more, and at most %d bytes",
			MinPasswordLength, maxPasswordBytes)
	}
	return create(ctx, db, redress.StaffUser{Email: strings.ToLower(addr.Address), Name: name, Role: role}, password, by)
}

func create(ctx context.Context, db *postgres.DB, u redress.StaffUser, password, by string) (*redress.StaffUser, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, fmt.Errorf("hash the password: %w", err)
	}
	return db.AddStaffUser(ctx, u, hash, by)
}

// DevUsers are the accounts the dev stack makes, one per role.
var DevUsers = []redress.StaffUser{
	{Email: "agent@example.com", Name: "Dev Agent", Role: "agent"},
	{Email: "supervisor@example.com", Name: "Dev Supervisor", Role: "supervisor"},
	{Email: "admin@example.com", Name: "Dev Admin", Role: "admin"},
}

// EnsureDevUsers makes the dev accounts that do not exist yet, with the dev
// password (REDRESS_DEV_PASSWORD, which may be shorter than a real one);
// accounts that exist are left as they are.
func EnsureDevUsers(ctx context.Context, db *postgres.DB, password string) error {
	existing, err := db.StaffUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range DevUsers {
		// Hashing costs a tenth of a second; an account made at an earlier
		// start is left alone without it.
		if slices.ContainsFunc(existing, func(e redress.StaffUser) bool { return e.Email == u.Email }) {
			continue
		}
		if _, err := create(ctx, db, u, password, redress.BySystem); err != nil && redress.ErrorCode(err) != redress.ECONFLICT {
			return err
		}
	}
	return nil
}
