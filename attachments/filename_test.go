package attachments

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A sender's name is kept without its path, control characters or broken
// UTF-8, and short enough for a header; nothing it holds names a place.
func TestCleanFilename(t *testing.T) {
	long := strings.Repeat("壶", 100) + ".png" // 304 bytes
	for _, tt := range []struct{ given, want string }{
		{"photo.png", "photo.png"},
		{`C:\Users\li\Desktop\照片.jpg`, "照片.jpg"},
		{"../../etc/passwd", "passwd"},
		{"/", "attachment"},
		{"..", "attachment"},
		{"", "attachment"},
		{"  invoice\r\n.pdf\x00 ", "invoice.pdf"},
		{"bad\xff\xfename.txt", "badname.txt"},
		{long, strings.Repeat("壶", 65) + ".png"},
		{strings.Repeat("x", 300), strings.Repeat("x", maxFilenameBytes)},
	} {
		got := cleanFilename(tt.given)
		if got != tt.want {
			t.Errorf("cleanFilename(%q) = %q; want %q", tt.given, got, tt.want)
		}
		if !utf8.ValidString(got) || len(got) > maxFilenameBytes {
			t.Errorf("cleanFilename(%q) = %q: not valid UTF-8 within %d bytes", tt.given, got, maxFilenameBytes)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for given, want := range map[string]string{
		"invoice.pdf":   "attachment; filename=invoice.pdf",
		`say "hi".txt`:  `attachment; filename="say \"hi\".txt"`,
		"照片.jpg":        "attachment; filename*=utf-8''%E7%85%A7%E7%89%87.jpg",
		"a;b=c d's.png": `attachment; filename="a;b=c d's.png"`,
	} {
		if got := ContentDisposition(given); got != want {
			t.Errorf("ContentDisposition(%q) = %q; want %q", given, got, want)
		}
	}
}
