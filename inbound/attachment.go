package inbound

import (
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// Attachment describes a file as it is handed to keep.
type Attachment struct {
	// Filename is the sender's name for the file, decoded (RFC 2047, RFC 2231)
	// and without any folder; "" when the sender gave none.
	Filename string
	// ContentType is the media type the sender declared, without parameters;
	// application/octet-stream when none was declared.
	ContentType string
}

// AttachmentInfo is an attachment that was passed to keep.
type AttachmentInfo struct {
	Attachment
	Size int64 // decoded bytes
}

// attachment streams one attachment to keep and records it. A part that turns
// out malformed makes keep's reads fail; if keep then fails too, the message
// goes on without that attachment, since keep has discarded it.
func (p *parser) attachment(a Attachment, h textproto.Header, raw io.Reader) error {
	if p.keep == nil {
		return nil
	}
	r := &countingReader{r: transferDecoded(h, raw)}
	if err := p.keep(a, r); err != nil {
		switch {
		case p.src.err != nil:
			return p.src.err
		case r.err != nil:
			return nil
		}
		return err
	}
	// Size counts what keep chose not to read, too.
	if _, err := io.Copy(io.Discard, r); err != nil && p.src.err != nil {
		return p.src.err
	}
	p.msg.Attachments = append(p.msg.Attachments, AttachmentInfo{Attachment: a, Size: r.n})
	return nil
}

func attachmentOf(h textproto.Header, mediaType, filename string) Attachment {
	if h.Get("Content-Type") == "" {
		mediaType = "application/octet-stream"
	}
	return Attachment{Filename: safeFilename(filename), ContentType: mediaType}
}

// declaredFilename is the filename of Content-Disposition, else the name of
// Content-Type: RFC 2231 parameters decoded by mime, RFC 2047 words (as
// Outlook and Foxmail send them) by decodeWords.
func declaredFilename(h textproto.Header) string {
	for _, source := range []struct{ field, param string }{
		{"Content-Disposition", "filename"},
		{"Content-Type", "name"},
	} {
		_, params, err := mime.ParseMediaType(h.Get(source.field))
		if name := params[source.param]; err == nil && name != "" {
			return decodeWords(name)
		}
	}
	return ""
}

func dispositionIsAttachment(h textproto.Header) bool {
	disposition, _, _ := strings.Cut(h.Get("Content-Disposition"), ";")
	return strings.EqualFold(strings.TrimSpace(disposition), "attachment")
}

// safeFilename keeps the last component of a filename: the sender names the
// file, not the folder it lands in.
func safeFilename(name string) string {
	name = cleanLine(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	return name
}

// transferDecoded undoes only a part's transfer encoding, so an attachment is
// kept byte for byte. message.New would also convert a text part's charset;
// shown the header without Content-Type, it has none to convert. An unknown
// transfer encoding leaves the bytes as sent.
func transferDecoded(h textproto.Header, raw io.Reader) io.Reader {
	bare := h.Copy()
	bare.Del("Content-Type")
	entity, _ := message.New(message.Header{Header: bare}, raw)
	return entity.Body
}

// countingReader counts the bytes read and remembers a read failure.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}
