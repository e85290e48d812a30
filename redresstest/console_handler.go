package redresstest

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/console"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/staff"
)

// ConsoleHandler serves the agent console over db under the default
// policy, with no Temporal behind it (pages that only read).
func ConsoleHandler(tb testing.TB, db *postgres.DB) http.Handler {
	c := console.New(console.Options{DB: db, Policy: redress.DefaultPolicy(), Logger: slog.New(slog.DiscardHandler)})
	tb.Cleanup(c.Close)
	e := echo.New()
	c.Register(e)
	return e
}

// ConsoleSession makes an account and a session for it, as the sign-in
// form would: requests that carry the returned cookie are that person's.
func ConsoleSession(tb testing.TB, db *postgres.DB, email, name, role string) *http.Cookie {
	tb.Helper()
	ctx := context.Background()
	user, err := staff.Add(ctx, db, email, name, role, "a long enough password", "test")
	if err != nil {
		tb.Fatal(err)
	}
	// The console finds a session by the SHA-256 of its cookie.
	token := uuid.NewString()
	hash := sha256.Sum256([]byte(token))
	if err := db.StartStaffSession(ctx, hash[:], user.ID, uuid.NewString()); err != nil {
		tb.Fatal(err)
	}
	return &http.Cookie{Name: "redress_session", Value: token}
}

// Console is ConsoleHandler with one person signed in.
func Console(tb testing.TB, db *postgres.DB, email, role string) (http.Handler, *http.Cookie) {
	tb.Helper()
	return ConsoleHandler(tb, db), ConsoleSession(tb, db, email, "Test "+role, role)
}
