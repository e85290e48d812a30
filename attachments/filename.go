package attachments

import (
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFilenameBytes keeps a name within what file systems and headers take.
const maxFilenameBytes = 200

// cleanFilename is the name a file is kept under: the last element of what
// the sender gave (browsers and mail clients send paths, with either
// slash), valid UTF-8 without control characters, at most
// maxFilenameBytes, its extension kept; "attachment" when nothing is left.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." || name == "/" {
		return "attachment"
	}
	if len(name) <= maxFilenameBytes {
		return name
	}
	// Shortened in its stem, so that the type stays in sight.
	ext := path.Ext(name)
	if len(ext) > maxFilenameBytes/10 {
		ext = ""
	}
	stem := strings.TrimSuffix(name, ext)
	for len(stem)+len(ext) > maxFilenameBytes {
		_, size := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-size]
	}
	return stem + ext
}

// ContentDisposition makes a browser save the file under its name rather
// than show it; a name outside ASCII travels as RFC 2231's filename*.
func ContentDisposition(filename string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": filename})
}
