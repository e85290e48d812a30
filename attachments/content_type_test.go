package attachments

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
)

// zipOf is a zip archive holding the named files, as office documents are.
func zipOf(t *testing.T, names ...string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range names {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<?xml version=\"1.0\"?><x/>"))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The type comes from the bytes: an office document is told from any other
// zip, text from HTML and scripts, whatever the name or the sender says.
func TestContentType(t *testing.T) {
	for _, tt := range []struct {
		what string
		head []byte
		want string // "" for refused
	}{
		{"a JPEG photo", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg"},
		{"a PDF", []byte("%PDF-1.4\n"), "application/pdf"},
		{"English text", []byte("The kettle leaks.\n"), "text/plain; charset=utf-8"},
		{"Chinese text", []byte("水壶漏水了，请尽快处理。\n"), "text/plain; charset=utf-8"},
		{"a CSV sheet", []byte("order,amount\n1001,20\n1002,30\n"), "text/csv"},
		{"a Word document", zipOf(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"an Excel sheet", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"a zip of anything", zipOf(t, "setup.exe"), ""},
		{"HTML", []byte("<!doctype html><p>hi"), ""},
		{"JSON", []byte(`{"a": 1}`), ""},
		{"a Python script", []byte("#!/usr/bin/env python3\nprint(1)\n"), ""},
		{"bytes of no known kind", []byte{0, 1, 2, 3, 250, 251, 252}, ""},
	} {
		got, err := contentType(tt.head)
		switch {
		case tt.want == "" && redress.ErrorCode(err) != redress.EUNSUPPORTED:
			t.Errorf("%s: %q, %v; want refused as unsupported", tt.what, got, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("%s: %q, %v; want %q", tt.what, got, err, tt.want)
		case err != nil && !strings.Contains(err.Error(), "office documents"):
			t.Errorf("%s: the refusal %q does not say what is accepted", tt.what, err)
		}
	}
}
