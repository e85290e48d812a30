package inbound

import (
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// maxDepth bounds multipart nesting: each level holds a read buffer, and a
// hostile message could otherwise nest until memory runs out. Deeper parts
// are skipped.
const maxDepth = 16

type bodyKind int

const (
	noBody bodyKind = iota
	plainBody
	htmlBody
)

// body is the text a part offers as the message's body.
type body struct {
	text string
	kind bodyKind
}

// bodyWant says which kinds of body a part may still supply; parts not wanted
// are never read, so only one body is held at a time.
type bodyWant struct{ plain, html bool }

var wantAnyBody = bodyWant{plain: true, html: true}

// signatureTypes are parts the sender's mail client adds to sign the mail. They
// are not something the customer attached, and keeping them would spend one of
// a complaint's ten files.
var signatureTypes = map[string]bool{
	"application/pkcs7-signature":   true,
	"application/x-pkcs7-signature": true,
	"application/pgp-signature":     true,
}

type parser struct {
	keep func(Attachment, io.Reader) error
	msg  *Message
	src  *sourceReader
}

// entity handles one MIME entity whose body raw is still transfer-encoded:
// it descends into a multipart, keeps an attachment, or reads a wanted text
// part as the body. Whatever it leaves unread, the enclosing multipart reader
// (or Parse, at the top) skips.
func (p *parser) entity(h textproto.Header, raw io.Reader, want bodyWant, depth int) (body, error) {
	mediaType, params := contentType(h)
	filename := declaredFilename(h)
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		if depth >= maxDepth {
			return body{}, nil
		}
		return p.multipart(mediaType, params, raw, want, depth+1)
	case mediaType == "message/delivery-status" || mediaType == "message/disposition-notification":
		p.noteReport(strings.TrimPrefix(mediaType, "message/"))
		return body{}, nil
	case signatureTypes[mediaType]:
		return body{}, nil
	case filename != "" || dispositionIsAttachment(h):
		return body{}, p.attachment(attachmentOf(h, mediaType, filename), h, raw)
	case mediaType == "text/plain" && want.plain:
		return p.bodyRead(plainText(decoded(h, raw)), plainBody)
	case mediaType == "text/html" && want.html:
		return p.bodyRead(htmlToText(decoded(h, raw)), htmlBody)
	}
	return body{}, nil
}

// multipart walks a multipart's parts in order. In an alternative a plain
// text part is preferred to HTML; in any other multipart the first body wins.
func (p *parser) multipart(mediaType string, params map[string]string, raw io.Reader, want bodyWant, depth int) (body, error) {
	if mediaType == "multipart/report" {
		p.noteReport(strings.ToLower(params["report-type"]))
	}
	alternative := mediaType == "multipart/alternative"
	parts := textproto.NewMultipartReader(raw, params["boundary"])
	var best body
	for {
		part, err := parts.NextPart()
		if err != nil {
			// The end, or a part that cannot be read: the parts before it
			// stand, unless the source itself failed.
			return best, p.src.err
		}
		still := want
		switch {
		case best.kind == htmlBody && alternative:
			still = bodyWant{plain: want.plain}
		case best.kind != noBody:
			still = bodyWant{}
		}
		found, err := p.entity(part.Header, part, still, depth)
		if err != nil {
			return best, err
		}
		if found.kind != noBody {
			best = found
		}
	}
}

// bodyRead takes what a text part gave up to its end or to a malformed byte
// (only a failure of the source fails the message), and counts a blank part
// as no body, so that an empty text/plain yields to its HTML.
func (p *parser) bodyRead(text string, kind bodyKind) (body, error) {
	if p.src.err != nil {
		return body{}, p.src.err
	}
	text = bodyText(text)
	if text == "" {
		return body{}, nil
	}
	return body{text: text, kind: kind}, nil
}

func (p *parser) noteReport(kind string) {
	if p.msg.Report == "" {
		if kind == "" {
			kind = "unknown"
		}
		p.msg.Report = kind
	}
}

// contentType reads a part's media type lower-cased, with its parameters. A
// missing field means text/plain (RFC 2045); a field whose parameters do not
// parse still names its media type.
func contentType(h textproto.Header) (string, map[string]string) {
	field := h.Get("Content-Type")
	if strings.TrimSpace(field) == "" {
		return "text/plain", nil
	}
	mediaType, params, err := mime.ParseMediaType(field)
	if err != nil || mediaType == "" {
		mediaType, _, _ = strings.Cut(field, ";")
		mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	}
	if !strings.Contains(mediaType, "/") {
		return "text/plain", nil
	}
	return mediaType, params
}
