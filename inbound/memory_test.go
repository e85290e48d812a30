package inbound_test

import (
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/redress-dev/redress/inbound"
)

// base64Lines generates an attachment's body as a mail carries it, 76
// characters a line, without ever holding more than a line; sum hashes the
// decoded bytes it generated.
type base64Lines struct {
	left    int
	counter byte
	raw     [57]byte
	line    [78]byte
	pending []byte
	sum     hash.Hash
}

func (g *base64Lines) Read(p []byte) (int, error) {
	if len(g.pending) == 0 {
		if g.left == 0 {
			return 0, io.EOF
		}
		raw := g.raw[:min(len(g.raw), g.left)]
		for i := range raw {
			g.counter = g.counter*31 + 7
			raw[i] = g.counter
		}
		g.left -= len(raw)
		g.sum.Write(raw)
		n := base64.StdEncoding.EncodedLen(len(raw))
		base64.StdEncoding.Encode(g.line[:n], raw)
		g.line[n], g.line[n+1] = '\r', '\n'
		g.pending = g.line[:n+2]
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	return n, nil
}

func TestParseHoldsLittleOfALargePart(t *testing.T) {
	const size = 20 << 20
	tests := []struct{ name, partHeader string }{
		{"attachment", "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=scan.pdf\r\n"},
		{"text body", "Content-Type: text/plain; charset=utf-8\r\n"},
		{"HTML body", "Content-Type: text/html; charset=gbk\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			part := &base64Lines{left: size, sum: sha256.New()}
			message := io.MultiReader(
				strings.NewReader("From: jane@example.com\r\nSubject: a big scan\r\n"+
					"Content-Type: multipart/mixed; boundary=b\r\n\r\n"+
					"--b\r\n"+tt.partHeader+"Content-Transfer-Encoding: base64\r\n\r\n"),
				part,
				strings.NewReader("--b--\r\n"),
			)
			kept := sha256.New()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := inbound.Parse(message, func(_ inbound.Attachment, r io.Reader) error {
				_, err := io.Copy(kept, r)
				return err
			})
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			// TotalAlloc counts every byte allocated, freed or not: reading the
			// part whole anywhere would show here at least once.
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 8<<20 {
				t.Errorf("Parse allocated %d MiB for a %d MiB part", grown>>20, size>>20)
			}
			if len(m.Text) > inbound.MaxTextBytes {
				t.Errorf("Text is %d bytes", len(m.Text))
			}
			if m.Attachments != nil && (m.Attachments[0].Size != size || string(kept.Sum(nil)) != string(part.sum.Sum(nil))) {
				t.Errorf("Attachments %+v; kept bytes match: %v", m.Attachments, string(kept.Sum(nil)) == string(part.sum.Sum(nil)))
			}
		})
	}
}
