package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// A session ends after its idle time without a request, at its lifetime
// however busy, and with its person's account; a live stream's checks do
// not keep it alive.
func TestStaffSessionsExpire(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	user, err := db.AddStaffUser(ctx, redress.StaffUser{Email: "ana@example.com", Name: "Ana", Role: "agent"}, []byte("hash"), "test")
	if err != nil {
		t.Fatal(err)
	}
	token := []byte("session-1")
	if err := db.StartStaffSession(ctx, token, user.ID, "csrf"); err != nil {
		t.Fatal(err)
	}
	s, err := db.StaffSession(ctx, token, time.Hour, 12*time.Hour, false)
	if err != nil || s.User.Email != "ana@example.com" || s.CSRFToken != "csrf" {
		t.Fatalf("a fresh session = %+v, %v", s, err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := db.StaffSession(ctx, token, time.Second, 12*time.Hour, false); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("a session idle past its idle time = %v; want not found", err)
	}
	if _, err := db.StaffSession(ctx, token, time.Hour, time.Second, true); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("a session past its lifetime = %v; want not found", err)
	}
	if _, err := db.StaffSession(ctx, token, time.Hour, 12*time.Hour, true); err != nil {
		t.Fatalf("a session within both limits: %v", err)
	}
	if err := db.DisableStaffUser(ctx, "ana@example.com", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StaffSession(ctx, token, time.Hour, 12*time.Hour, false); redress.ErrorCode(err) != redress.ENOTFOUND {
		t.Errorf("a disabled person's session = %v; want not found", err)
	}
}
