package inbound

import (
	"io"
	"mime"
	netmail "net/mail"
	"strings"

	"github.com/emersion/go-message"
	// Importing charset also registers, for the bodies go-message decodes, the
	// charsets of the mail Redress receives: GB2312, GBK, GB18030, Big5,
	// ISO-8859-x, Shift_JIS and the rest.
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// wordDecoder decodes RFC 2047 encoded words. A word in a charset it does not
// know keeps its bytes, read as UTF-8 by cleanLine, rather than stay encoded.
var wordDecoder = mime.WordDecoder{CharsetReader: func(name string, input io.Reader) (io.Reader, error) {
	if decoded, err := charset.Reader(name, input); err == nil {
		return decoded, nil
	}
	return input, nil
}}

// decodeWords decodes a header value's encoded words, keeping a malformed one
// as written.
func decodeWords(s string) string {
	if decoded, err := wordDecoder.DecodeHeader(s); err == nil {
		s = decoded
	}
	return cleanLine(s)
}

// headerFields reads the top-level fields Redress uses. Each is read
// leniently: a field that does not parse strictly is read as well as it can
// be, or left empty, and never fails the message.
func headerFields(h textproto.Header) *Message {
	header := mail.Header{Header: message.Header{Header: h}}
	msg := &Message{
		Header:     header,
		Subject:    decodeWords(header.Get("Subject")),
		From:       firstAddress(header.Get("From")),
		To:         bareAddresses(header.Get("To")),
		Cc:         bareAddresses(header.Get("Cc")),
		InReplyTo:  messageIDs(header.Get("In-Reply-To")),
		References: messageIDs(header.Get("References")),
	}
	if ids := messageIDs(header.Get("Message-Id")); len(ids) > 0 {
		msg.MessageID = ids[0]
	}
	if date, err := header.Date(); err == nil {
		msg.Date = date
	}
	return msg
}

func firstAddress(field string) mail.Address {
	list := addressList(field)
	if len(list) == 0 {
		return mail.Address{}
	}
	return list[0]
}

func bareAddresses(field string) []string {
	var bare []string
	for _, a := range addressList(field) {
		bare = append(bare, a.Address)
	}
	return bare
}

// addressList parses an address field, lower-casing each address (customers
// are found by address, and nobody means Alice@ and alice@ to differ). A field
// that does not parse strictly, as a hand-rolled mailer's often does not, is
// read piece by piece for whatever looks like an address.
func addressList(field string) []mail.Address {
	if strings.TrimSpace(field) == "" {
		return nil
	}
	var list []mail.Address
	parser := netmail.AddressParser{WordDecoder: &wordDecoder}
	parsed, err := parser.ParseList(field)
	if err == nil {
		for _, a := range parsed {
			list = append(list, mail.Address{Name: cleanLine(a.Name), Address: strings.ToLower(a.Address)})
		}
		return list
	}
	for _, piece := range strings.Split(field, ",") {
		if a, ok := looseAddress(piece); ok {
			list = append(list, a)
		}
	}
	return list
}

// looseAddress finds the address in one malformed mailbox: the text in angle
// brackets, else the word with an @, the rest being the name.
func looseAddress(s string) (mail.Address, bool) {
	if open := strings.LastIndexByte(s, '<'); open >= 0 {
		if end := strings.IndexByte(s[open:], '>'); end > 0 {
			addr := cleanLine(s[open+1 : open+end])
			if strings.Contains(addr, "@") {
				name := strings.Trim(strings.TrimSpace(s[:open]), `"'`)
				return mail.Address{Name: decodeWords(name), Address: strings.ToLower(addr)}, true
			}
		}
	}
	for _, word := range strings.Fields(s) {
		word = strings.Trim(word, `<>"'();`)
		if strings.Contains(word, "@") {
			return mail.Address{Address: strings.ToLower(cleanLine(word))}, true
		}
	}
	return mail.Address{}, false
}

// messageIDs reads a list of message ids without their angle brackets,
// tolerating comments between them and, from senders that forget the
// brackets, bare ids.
func messageIDs(field string) []string {
	var ids []string
	rest := field
	for {
		open := strings.IndexByte(rest, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '>')
		if end < 0 {
			break
		}
		if id := cleanLine(rest[open+1 : open+end]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[open+end+1:]
	}
	if ids != nil {
		return ids
	}
	for _, word := range strings.Fields(field) {
		if strings.Contains(word, "@") {
			ids = append(ids, cleanLine(word))
		}
	}
	return ids
}
