package inbound

import (
	"bytes"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLToken bounds the one token the tokenizer holds whole; a bigger one
// (an inline data: image, say) ends the text there rather than fill memory.
const maxHTMLToken = 1 << 20

// droppedElements hold nothing a reader of the mail sees.
var droppedElements = map[atom.Atom]bool{
	atom.Head: true, atom.Title: true, atom.Script: true, atom.Style: true, atom.Template: true,
}

// paragraphElements are set apart by a blank line, lineElements by a line break.
var (
	paragraphElements = map[atom.Atom]bool{
		atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
		atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Table: true,
	}
	lineElements = map[atom.Atom]bool{
		atom.Div: true, atom.Tr: true, atom.Li: true, atom.Dt: true, atom.Dd: true, atom.Hr: true,
		atom.Address: true, atom.Article: true, atom.Aside: true, atom.Caption: true, atom.Center: true,
		atom.Details: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true, atom.Footer: true,
		atom.Form: true, atom.Header: true, atom.Main: true, atom.Nav: true, atom.Section: true, atom.Summary: true,
	}
)

// htmlToText renders an HTML body as the plain text a reader would see: blocks
// on their own lines, a blockquote's lines prefixed "> " so TrimReply knows
// them as quoted, entities decoded. It reads up to MaxTextBytes of text; a
// read error ends it with what was read.
func htmlToText(r io.Reader) string {
	z := html.NewTokenizer(r)
	z.SetMaxBuf(maxHTMLToken)
	w := textWriter{limit: MaxTextBytes}
	var skipping atom.Atom // the dropped element being skipped, if any
	for !w.full {
		tokenType := z.Next()
		switch tokenType {
		case html.ErrorToken:
			return tidyLines(w.out.String())
		case html.TextToken:
			if skipping == 0 {
				w.text(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := atom.Lookup(name)
			// A head left open ends where the body starts.
			if skipping == atom.Head && tag == atom.Body {
				skipping = 0
			}
			switch {
			case skipping != 0:
			case droppedElements[tag] && tokenType == html.StartTagToken:
				skipping = tag
			default:
				w.open(tag)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := atom.Lookup(name)
			switch {
			case skipping == tag:
				skipping = 0
			case skipping == 0:
				w.close(tag)
			}
		}
	}
	return tidyLines(w.out.String())
}

// textWriter lays out the text of an HTML document line by line.
type textWriter struct {
	out   strings.Builder
	limit int
	full  bool // the limit is reached: nothing more is written

	lineOpen  bool // the current line has text
	space     bool // a space is owed before the next word on the line
	blankOwed bool // a blank line is owed before the next line of text
	quote     int  // blockquote depth
	pre       int  // <pre> depth: whitespace is kept as written
}

func (w *textWriter) open(tag atom.Atom) {
	switch {
	case tag == atom.Br:
		w.lineBreak()
	case tag == atom.Blockquote:
		w.endParagraph()
		w.quote++
	case tag == atom.Pre:
		w.endParagraph()
		w.pre++
	case tag == atom.Li:
		w.endLine()
		w.word("-")
		w.space = true
	case tag == atom.Td || tag == atom.Th:
		w.space = true
	case paragraphElements[tag]:
		w.endParagraph()
	case lineElements[tag]:
		w.endLine()
	}
}

func (w *textWriter) close(tag atom.Atom) {
	switch {
	case tag == atom.Blockquote:
		w.endParagraph()
		w.quote = max(w.quote-1, 0)
	case tag == atom.Pre:
		w.endParagraph()
		w.pre = max(w.pre-1, 0)
	case paragraphElements[tag]:
		w.endParagraph()
	case lineElements[tag]:
		w.endLine()
	}
}

// text writes a text node: outside <pre>, runs of white space (&nbsp; too)
// become one space, as a browser shows them. It reads the tokenizer's bytes in
// place, copying only the words it writes.
func (w *textWriter) text(b []byte) {
	if w.pre > 0 {
		for !w.full {
			line, rest, more := bytes.Cut(b, []byte("\n"))
			if len(line) > 0 {
				w.word(validString(line))
			}
			if !more {
				return
			}
			w.lineBreak()
			b = rest
		}
		return
	}
	for len(b) > 0 && !w.full {
		if r, size := utf8.DecodeRune(b); unicode.IsSpace(r) {
			w.space = true
			b = b[size:]
			continue
		}
		end := bytes.IndexFunc(b, unicode.IsSpace)
		if end < 0 {
			end = len(b)
		}
		w.word(validString(b[:end]))
		b = b[end:]
	}
}

func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

func (w *textWriter) word(s string) {
	if w.lineOpen {
		if w.space {
			w.write(" ")
		}
	} else {
		if w.blankOwed && w.out.Len() > 0 {
			w.write("\n")
		}
		w.blankOwed = false
		w.write(strings.Repeat("> ", w.quote))
		w.lineOpen = true
	}
	w.space = false
	w.write(s)
}

func (w *textWriter) lineBreak() {
	w.write("\n")
	w.lineOpen = false
	w.space = false
}

func (w *textWriter) endLine() {
	if w.lineOpen {
		w.lineBreak()
	}
}

func (w *textWriter) endParagraph() {
	w.endLine()
	w.blankOwed = true
}

func (w *textWriter) write(s string) {
	if w.full {
		return
	}
	if room := w.limit - w.out.Len(); len(s) >= room {
		s = cutRunes(s, room)
		w.full = true
	}
	w.out.WriteString(s)
}

// tidyLines drops trailing spaces, keeps at most one blank line in a row and
// trims the text's ends.
func tidyLines(s string) string {
	var kept []string
	blank := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" && blank {
			continue
		}
		blank = line == ""
		kept = append(kept, line)
	}
	return strings.TrimSpace(strings.Join(kept, "\n"))
}
