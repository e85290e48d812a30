package inbound_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/redress-dev/redress/inbound"
)

// FuzzParse holds Parse to its promises on any bytes: no panic, and a Text and
// Reply fit to store.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, seed := range seeds {
		raw, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := inbound.Parse(bytes.NewReader(raw), func(_ inbound.Attachment, r io.Reader) error {
			_, err := io.Copy(io.Discard, r)
			return err
		})
		if err != nil {
			return
		}
		for _, s := range []string{m.Text, m.Reply, m.Subject, m.From.Name} {
			if !utf8.ValidString(s) || bytes.IndexByte([]byte(s), 0) >= 0 {
				t.Fatalf("%q is not fit to store", s)
			}
		}
		if len(m.Text) > inbound.MaxTextBytes || len(m.Reply) > len(m.Text) {
			t.Fatalf("Text %d bytes, Reply %d", len(m.Text), len(m.Reply))
		}
	})
}
