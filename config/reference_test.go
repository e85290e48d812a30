package config_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/redress-dev/redress/config"
)

// TestConfigurationReferenceIsCurrent fails when docs/configuration.md is
// not what the flags make of it: a flag or variable added, removed or
// changed without the documentation. REDRESS_UPDATE_DOCS=1 rewrites it.
func TestConfigurationReferenceIsCurrent(t *testing.T) {
	// The defaults as a process with none of the variables set sees them.
	fs := flag.NewFlagSet("redress", flag.ContinueOnError)
	config.Flags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		if i := strings.LastIndex(f.Usage, "("); i >= 0 && strings.HasSuffix(f.Usage, ")") {
			t.Setenv(f.Usage[i+1:len(f.Usage)-1], "")
		}
	})
	const path = "../docs/configuration.md"
	want := config.Reference()
	if os.Getenv("REDRESS_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is not what the flags make of it; run REDRESS_UPDATE_DOCS=1 go test ./config", path)
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(string(got), "`--"+f.Name+"`") {
			t.Errorf("the flag --%s is missing from %s", f.Name, path)
		}
	})
}
