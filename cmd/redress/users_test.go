package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/redress-dev/redress/redresstest"
	"github.com/redress-dev/redress/staff"
)

func TestMain(m *testing.M) { redresstest.Main(m) }

// The users command as an admin runs it: add people with a password on
// standard input, refuse what is wrong naming the field, list, disable.
func TestUsersCommand(t *testing.T) {
	url := redresstest.NewDatabaseURL(t)
	db := redresstest.OpenDB(t, url)
	ctx := context.Background()
	run := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := runUsers(ctx, db, args, strings.NewReader(stdin), &out)
		return out.String(), err
	}
	if out, err := run("a long enough secret\n", "add", "--email", "Ana@Example.com", "--name", "Ana Li", "--role", "agent"); err != nil ||
		!strings.Contains(out, "added ana@example.com") {
		t.Fatalf("add = %q, %v", out, err)
	}
	refusals := []struct {
		stdin, field string
		args         []string
	}{
		{"a long enough secret\n", "already has an account", []string{"add", "--email", "ana@example.com", "--name", "Ana", "--role", "agent"}},
		{"short\n", "password", []string{"add", "--email", "bo@example.com", "--name", "Bo", "--role", "agent"}},
		{"a long enough secret\n", "role", []string{"add", "--email", "bo@example.com", "--name", "Bo", "--role", "intake"}},
		{"a long enough secret\n", "email", []string{"add", "--email", "bo at example", "--name", "Bo", "--role", "agent"}},
		{"a long enough secret\n", "name", []string{"add", "--email", "bo@example.com", "--role", "agent"}},
		{"", "no account", []string{"disable", "--email", "nobody@example.com"}},
		{"", "add, list or disable", []string{"remove"}},
	}
	for _, r := range refusals {
		if _, err := run(r.stdin, r.args...); err == nil || !strings.Contains(err.Error(), r.field) {
			t.Errorf("%v: %v; want a refusal naming %q", r.args, err, r.field)
		}
	}
	if err := staff.EnsureDevUsers(ctx, db, "redress"); err != nil {
		t.Fatal(err)
	}
	if err := staff.EnsureDevUsers(ctx, db, "redress"); err != nil {
		t.Fatalf("making the dev accounts again: %v", err)
	}
	if _, err := run("", "disable", "--email", "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	out, err := run("", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.Contains(lines[1], "admin@example.com") || !strings.Contains(lines[2], "agent@example.com") ||
		!strings.Contains(lines[3], "ana@example.com") || !strings.Contains(lines[3], "disabled") || strings.Contains(lines[4], "disabled") {
		t.Errorf("list:\n%s", out)
	}

	// The password is kept only as a bcrypt hash that checks it.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var hash []byte
	if err := conn.QueryRow(ctx, `SELECT password_hash FROM staff_users WHERE email = 'ana@example.com'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(hash, []byte("secret")) || bcrypt.CompareHashAndPassword(hash, []byte("a long enough secret")) != nil {
		t.Errorf("stored hash %q does not check the password", hash)
	}
}
