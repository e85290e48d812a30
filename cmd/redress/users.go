package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/staff"
)

const usersUsage = `Usage:
  redress users add --email E --name N --role agent|supervisor|admin   (the password comes on standard input)
  redress users list
  redress users disable --email E

DATABASE_URL names the database; the dev stack prints the address of its own.
`

// usersMain runs "redress users ..." and returns the process's exit code.
func usersMain(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprint(errOut, "redress users: set DATABASE_URL\n\n"+usersUsage)
		return 2
	}
	db, err := postgres.Open(ctx, url, nil)
	if err == nil {
		defer db.Close()
		err = db.Migrate(ctx)
	}
	if err == nil {
		err = runUsers(ctx, db, args, in, out)
	}
	var usage errUsage
	switch {
	case errors.As(err, &usage):
		fmt.Fprintf(errOut, "redress users: %s\n\n%s", usage, usersUsage)
		return 2
	case redress.ErrorCode(err) != redress.EINTERNAL:
		fmt.Fprintln(errOut, "redress users:", redress.ErrorMessage(err))
		return 1
	case err != nil:
		fmt.Fprintln(errOut, "redress users:", err)
		return 1
	}
	return 0
}

type errUsage string

func (e errUsage) Error() string { return string(e) }

// runUsers adds, lists or disables the people who sign in to the console.
func runUsers(ctx context.Context, db *postgres.DB, args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 {
		return errUsage("say add, list or disable")
	}
	fs := flag.NewFlagSet("redress users "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "the person's e-mail address")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "", "agent, supervisor or admin")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage(err.Error())
	}
	switch args[0] {
	case "add":
		password, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		u, err := staff.Add(ctx, db, *email, *name, *role, strings.TrimRight(password, "\r\n"), commandLineUser())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "added %s (%s, %s)\n", u.Email, u.Name, u.Role)
	case "list":
		users, err := db.StaffUsers(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "EMAIL\tNAME\tROLE\tSTATUS\tSINCE")
		for _, u := range users {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, status, u.CreatedAt.Format("2006-01-02"))
		}
		return w.Flush()
	case "disable":
		if err := db.DisableStaffUser(ctx, strings.ToLower(strings.TrimSpace(*email)), commandLineUser()); err != nil {
			return err
		}
		fmt.Fprintf(out, "disabled %s\n", *email)
	default:
		return errUsage(fmt.Sprintf("%q is not add, list or disable", args[0]))
	}
	return nil
}

// commandLineUser is who the audit log says ran a command: the operating
// system's account, as cli:<name>.
func commandLineUser() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli:unknown"
}
