package inbound

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// MaxTextBytes caps Message.Text: a complaint needs the customer's words, not
// the log file pasted below them.
const MaxTextBytes = 64 << 10

// decoded undoes a text part's transfer encoding and charset. A charset that
// go-message does not know leaves the bytes as sent, read as UTF-8 later.
func decoded(h textproto.Header, raw io.Reader) io.Reader {
	entity, _ := message.New(message.Header{Header: h}, raw)
	return entity.Body
}

// plainText reads a text/plain body up to the cap; a read error ends it with
// what was read.
func plainText(r io.Reader) string {
	// A few bytes past the cap, so that a rune across it is read whole.
	text, _ := io.ReadAll(io.LimitReader(r, MaxTextBytes+utf8.UTFMax))
	return string(text)
}

// bodyText makes a body's text fit to keep: valid UTF-8, lines ended by "\n",
// no control characters (PostgreSQL refuses NUL), no surrounding blank space,
// and at most MaxTextBytes.
func bodyText(s string) string {
	s = strings.ReplaceAll(cleanText(s), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimSpace(cutRunes(strings.TrimSpace(s), MaxTextBytes))
}

// cleanText replaces invalid UTF-8 and drops the control characters a text
// keeps no use for.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// cleanLine is cleanText for a one-line value such as a subject or a name:
// line breaks and tabs become spaces.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, cleanText(s))
	return strings.TrimSpace(s)
}

// cutRunes shortens s to at most n bytes without splitting a rune.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
