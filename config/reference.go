package config

import (
	"flag"
	"fmt"
	"regexp"
	"strings"
)

// variableOf finds a flag's environment variable: its usage ends by naming
// it, "(REDRESS_HTTP_ADDR)".
var variableOf = regexp.MustCompile(`\s*\(([A-Z][A-Z0-9_]+)\)$`)

// Reference is docs/configuration.md: every flag of Flags with its
// environment variable, default and meaning, as a process whose
// environment sets none of them sees them. The file is written from this,
// and a test fails when they differ, so the documentation cannot drift
// from the flags.
func Reference() string {
	fs := flag.NewFlagSet("redress", flag.ContinueOnError)
	Flags(fs)
	var b strings.Builder
	b.WriteString(`# Configuration

Every setting of ` + "`redress dev`, `redress api` and `redress worker`" + ` is a flag, and nearly every one
has an environment variable; a flag given wins over its variable. This file is generated from the
flags themselves (` + "`REDRESS_UPDATE_DOCS=1 go test ./config`" + `), and ` + "`TestConfigurationReferenceIsCurrent`" + `
fails when a flag or variable is missing from it. The policy file (` + "`REDRESS_POLICY`" + `) has its own
page: [policy.md](policy.md).

| variable | flag | default | meaning |
|---|---|---|---|
`)
	fs.VisitAll(func(f *flag.Flag) {
		usage, variable := f.Usage, "(flag only)"
		if m := variableOf.FindStringSubmatch(usage); m != nil {
			usage, variable = strings.TrimSuffix(usage, m[0]), "`"+m[1]+"`"
		}
		def := "none"
		if f.DefValue != "" {
			def = "`" + f.DefValue + "`"
		}
		fmt.Fprintf(&b, "| %s | `--%s` | %s | %s |\n", variable, f.Name, def, strings.ReplaceAll(usage, "|", `\|`))
	})
	b.WriteString(`
A rate is ` + "`N/s`, `N/min` or `N/h`" + `, optionally followed by ` + "`burst B`" + ` (B defaults to N); ` + "`0` or `off`" + `
turns a limit off. Every API process counts against the same buckets, kept in PostgreSQL.
Secrets (` + "`REDRESS_API_KEYS`, `REDRESS_TOKEN_SECRET`, `REDRESS_PAYLOAD_KEYS`, `REDRESS_DATA_KEYS`" + `) are
made by ` + "`redress dev`" + ` under its data dir; ` + "`redress api` and `redress worker`" + ` refuse to start without
them, and refuse the documentation's examples (` + "`openssl rand -base64 32`" + ` makes one).
`)
	return b.String()
}
