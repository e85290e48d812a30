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

// Console serves the agent console over db under the default policy, with
// no Temporal behind it (pages that only read), and signs in a new person:
// requests that carry the returned cookie are theirs.
func Console(tb testing.TB, db *postgres.DB, email, role string) (http.Handler, *http.Cookie) {
	tb.Helper()
	ctx := context.Background()
	user, err := staff.Add(ctx, db, email, "Test "+role, role, "a long enough password")
	if err != nil {
		tb.Fatal(err)
	}
	// The console finds a session by the SHA-256 of its cookie.
	token := uuid.NewString()
	hash := sha256.Sum256([]byte(token))
	if err := db.StartStaffSession(ctx, hash[:], user.ID, uuid.NewString()); err != nil {
		tb.Fatal(err)
	}
	c := console.New(console.Options{DB: db, Policy: redress.DefaultPolicy(), Logger: slog.New(slog.DiscardHandler)})
	tb.Cleanup(c.Close)
	e := echo.New()
	c.Register(e)
	return e, &http.Cookie{Name: "redress_session", Value: token}
}
