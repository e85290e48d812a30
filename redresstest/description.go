package redresstest

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/redress-dev/redress/openapi"
	"github.com/redress-dev/redress/openapi/openapitest"
)

// checkAgainstTheDescription holds a test stack's traffic to the API
// description: when the test ends, every request the document refuses but
// the server took, and every answer that is not the document's, fails it.
// REDRESS_OPENAPI_REPORT names a file that collects, over a whole run, the
// operations called and the misfits, to see what the tests cover.
func checkAgainstTheDescription(t testing.TB) *openapitest.Recorder {
	rec := openapitest.New(openapi.Document())
	t.Cleanup(func() { // registered before the stack's, so it runs after the stack stopped
		problems := rec.Problems()
		for _, p := range problems {
			t.Errorf("API description: %s", p)
		}
		if path := os.Getenv("REDRESS_OPENAPI_REPORT"); path != "" {
			var lines []string
			for _, op := range rec.Exercised() {
				lines = append(lines, "exercised\t"+op)
			}
			for _, p := range problems {
				lines = append(lines, "problem\t"+t.Name()+"\t"+p)
			}
			if err := appendLines(path, lines); err != nil {
				t.Error(err)
			}
		}
	})
	return rec
}

func appendLines(path string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintln(f, strings.Join(lines, "\n"))
	return err
}
