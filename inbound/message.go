// Package inbound reads the mail customers send Redress: one RFC 5322 message
// in; its sender, threading headers, text and attachments out, with quoted
// history trimmed and machine-sent mail recognised. It is pure (no database,
// no network): the SMTP listener feeds it and acts on what it returns.
package inbound

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// ErrMalformed reports a message whose header cannot be read at all, or has
// no field. It is permanent: the same bytes will never parse, so retrying
// cannot help.
var ErrMalformed = errors.New("inbound: malformed message header")

// maxHeaderBytes bounds the top-level header, the one part of a message read
// whole before anything is known about it.
const maxHeaderBytes = 1 << 20

// Message is what Redress needs from one received mail. The envelope (MAIL
// FROM, RCPT TO) is not in the message; the listener has it.
type Message struct {
	// Header is the top-level header as received, for anything not parsed
	// below; Noise reads it.
	Header mail.Header

	From    mail.Address // Address lower-cased; zero when the mail names no sender
	To      []string     // bare addresses, lower-cased
	Cc      []string     // bare addresses, lower-cased
	Subject string       // decoded, reply prefixes kept: CleanSubject drops them

	MessageID  string    // without angle brackets
	InReplyTo  []string  // without angle brackets
	References []string  // without angle brackets
	Date       time.Time // zero when missing or unreadable

	// Text is the body as UTF-8 plain text, at most MaxTextBytes: the first
	// text/plain of a multipart/alternative, else its HTML as text; in any
	// other multipart the first text part that is not an attachment.
	Text string
	// Reply is Text with quoted history and signatures trimmed (TrimReply):
	// the customer's own words.
	Reply string

	// Attachments lists what was passed to keep, in the message's order.
	Attachments []AttachmentInfo

	// Report names the machine-written report the mail carries, "" for mail a
	// person wrote: a multipart/report's report-type ("delivery-status" for a
	// bounce, "disposition-notification" for a read receipt, ...; "unknown"
	// when it names none), or the subtype of a message/delivery-status or
	// message/disposition-notification part.
	Report string
}

// Parse reads one message from r. Each attachment is streamed to keep with its
// transfer encoding undone and its bytes otherwise as sent; keep must consume
// what it wants before returning, and a nil keep skips attachments. When a
// part turns out malformed, keep's reads fail; if keep then fails too, Parse
// goes on without that attachment, so keep must discard what it stored of it.
//
// A malformed part or an unknown charset never fails the message: what can be
// read is kept, bytes of an unknown charset are read as UTF-8. Parse fails only
// when the header cannot be read (ErrMalformed), when r itself fails (that
// error, so the sender can be asked to retry), or when keep fails (its error).
// The caller bounds r's size with a reader that fails beyond the limit: one
// that merely stops would look like a message cut short, and be accepted.
func Parse(r io.Reader, keep func(Attachment, io.Reader) error) (*Message, error) {
	src := &sourceReader{r: r}
	limit := &headerLimit{r: src, left: maxHeaderBytes}
	br := bufio.NewReader(limit)
	header, err := textproto.ReadHeader(br)
	if src.err != nil {
		return nil, src.err
	}
	// A header that ends the message without a blank line is still a header;
	// no field at all is none.
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if header.Len() == 0 {
		return nil, fmt.Errorf("%w: no header fields", ErrMalformed)
	}
	limit.lift()

	msg := headerFields(header)
	p := parser{keep: keep, msg: msg, src: src}
	found, err := p.entity(header, br, wantAnyBody, 0)
	if err != nil {
		return nil, err
	}
	// Reading to the end lets a failure of r past the last part (the size
	// limit, a dropped connection) surface instead of passing for success.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return nil, err
	}
	msg.Text = found.text
	msg.Reply = TrimReply(msg.Text)
	return msg, nil
}

// sourceReader remembers a failure of the reader under the message, so that
// Parse returns it rather than mistake it for a malformed part.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

var errHeaderTooBig = errors.New("header exceeds 1 MiB")

// headerLimit fails reads once the header has taken maxHeaderBytes, until
// lift is called when the body starts.
type headerLimit struct {
	r    io.Reader
	left int64
}

func (h *headerLimit) Read(p []byte) (int, error) {
	if h.left < 0 {
		return h.r.Read(p)
	}
	if h.left == 0 {
		return 0, errHeaderTooBig
	}
	if int64(len(p)) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= int64(n)
	return n, err
}

func (h *headerLimit) lift() { h.left = -1 }
