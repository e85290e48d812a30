package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

const analyticsUsage = `Usage:
  redress analytics rebuild [--policy FILE]

Recomputes the analytics rollups from the complaints, in batches of a week,
printing its progress: after a restore, or rows written by hand. Running it
twice changes nothing; complaints keep flowing meanwhile. The policy
(--policy or REDRESS_POLICY) gives the time zone and the repeat window.
DATABASE_URL names the database; the dev stack prints the address of its own.
`

// analyticsMain runs "redress analytics ..." and returns the exit code.
func analyticsMain(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("redress analytics rebuild", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	policyFile := fs.String("policy", os.Getenv("REDRESS_POLICY"), "policy YAML file")
	if len(args) == 0 || args[0] != "rebuild" || fs.Parse(args[1:]) != nil || fs.NArg() > 0 {
		fmt.Fprint(errOut, analyticsUsage)
		return 2
	}
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprint(errOut, "redress analytics: set DATABASE_URL\n\n"+analyticsUsage)
		return 2
	}
	policy, err := redress.LoadPolicy(*policyFile)
	if err != nil {
		fmt.Fprintln(errOut, "redress analytics:", err)
		return 1
	}
	db, err := postgres.Open(ctx, url, nil)
	if err == nil {
		defer db.Close()
		err = db.Migrate(ctx)
	}
	if err == nil {
		basis := postgres.BasisOf(policy)
		fmt.Fprintf(out, "rebuilding the analytics rollups (zone %s, repeats within %s)\n", basis.Zone, basis.RepeatWithin)
		err = db.RebuildAnalytics(ctx, basis, true, func(p postgres.RebuildProgress) {
			fmt.Fprintln(out, p)
		})
	}
	if err != nil {
		fmt.Fprintln(errOut, "redress analytics:", err)
		return 1
	}
	fmt.Fprintln(out, "done")
	return 0
}
