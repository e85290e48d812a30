package inbound_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"

	"github.com/redress-dev/redress/inbound"
)

// kept is an attachment as keep received it.
type kept struct {
	inbound.Attachment
	sum [32]byte
}

// keepAll is a keep that reads each attachment whole and remembers it.
func keepAll(got *[]kept) func(inbound.Attachment, io.Reader) error {
	return func(a inbound.Attachment, r io.Reader) error {
		body, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		*got = append(*got, kept{a, sha256.Sum256(body)})
		return nil
	}
}

func parseFile(t *testing.T, name string, keep func(inbound.Attachment, io.Reader) error) *inbound.Message {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := inbound.Parse(f, keep)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return msg
}

func parseString(t *testing.T, raw string) *inbound.Message {
	t.Helper()
	msg, err := inbound.Parse(strings.NewReader(raw), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return msg
}

func TestParse(t *testing.T) {
	tests := []struct {
		file       string
		from       mail.Address
		to, cc     []string
		subject    string
		messageID  string
		inReplyTo  []string
		references []string
		date       time.Time
		text       string
		reply      string
	}{{
		file:       "plain_en.eml",
		from:       mail.Address{Name: "Jane Doe", Address: "jane.doe@example.com"},
		to:         []string{"complaints@redress.example", "john@example.com"},
		cc:         []string{"support-team@example.com"},
		subject:    "Re: RE: Fwd: Order 12345 arrived damaged",
		messageID:  "CAF=abc123@mail.example.com",
		inReplyTo:  []string{"complaint-7.1@redress.example"},
		references: []string{"complaint-7.0@redress.example", "complaint-7.1@redress.example"},
		date:       time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		text: "Hello,\n\nThe box was crushed and the lamp inside is broken.\nI would like a replacement.\n\nJane\n\n" +
			"On Mon, Nov 30, 2026 at 9:15 AM Redress <complaints@redress.example> wrote:\n" +
			"> Thank you for contacting us. Your complaint number is 7.\n>\n> Redress",
		reply: "Hello,\n\nThe box was crushed and the lamp inside is broken.\nI would like a replacement.\n\nJane",
	}, {
		file:      "alternative.eml", // the text part wins over the HTML
		from:      mail.Address{Name: "张三", Address: "zhang.san@example.cn"},
		to:        []string{"complaints@redress.example"},
		subject:   "回复：订单未收到",
		messageID: "alt-2@example.cn",
		date:      time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC),
		text: "我的订单还没有收到。\n\n在 2026年12月1日周二 10:00，Redress <complaints@redress.example> 写道：\n" +
			"> 您好，我们已收到您的投诉。",
		reply: "我的订单还没有收到。",
	}, {
		file:      "html_only.eml", // entities, <br>, <p>, head, style and script dropped, blockquote quoted
		from:      mail.Address{Name: "Tom O'Brien", Address: "tom@example.org"},
		to:        []string{"complaints@redress.example"},
		subject:   "Charged twice",
		messageID: "html-3@example.org",
		date:      time.Date(2026, 12, 2, 13, 5, 0, 0, time.UTC),
		text: "Hi team,\n\nI was charged £49.99 twice & the bank says it's your error.\nOrder #12345 <urgent>.\n\n" +
			"Please refund one charge.\n\nThanks,\nTom\n\n" +
			"On Tue, Dec 1, 2026 at 10:00 AM Redress <complaints@redress.example> wrote:\n\n" +
			"> We received your complaint.\n\n> > Older history",
		reply: "Hi team,\n\nI was charged £49.99 twice & the bank says it's your error.\nOrder #12345 <urgent>.\n\n" +
			"Please refund one charge.\n\nThanks,\nTom",
	}, {
		file:      "qp_utf8.eml",
		from:      mail.Address{Name: "Renée Müller", Address: "renee@example.de"},
		to:        []string{"complaints@redress.example"},
		subject:   "Beschädigte Lieferung – café machine",
		messageID: "qp-4@example.de",
		date:      time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC),
		text:      "The café machine arrived with a cracked lid – naïve packaging.\nPreis: 129 €\n\n-- \nRenée Müller",
		reply:     "The café machine arrived with a cracked lid – naïve packaging.\nPreis: 129 €",
	}, {
		file:      "unknown_charset.eml", // bytes of an unknown charset read as UTF-8
		from:      mail.Address{Name: "Old System", Address: "legacy@example.net"},
		to:        []string{"complaints@redress.example"},
		subject:   "Caf\uFFFD",
		messageID: "unknown-5@example.net",
		text:      "The caf\uFFFD order never came.",
		reply:     "The caf\uFFFD order never came.",
	}, {
		file:      "malformed.eml", // a From without its ">", an id without brackets, a bad date
		from:      mail.Address{Address: "someone@example.com"},
		to:        []string{"complaints@redress.example"},
		subject:   "Broken parts",
		messageID: "no-brackets-8@example.com",
		text:      "The body survives.",
		reply:     "The body survives.",
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := parseFile(t, tt.file, nil)
			check := func(field string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("From", m.From, tt.from)
			check("To", m.To, tt.to)
			check("Cc", m.Cc, tt.cc)
			check("Subject", m.Subject, tt.subject)
			check("MessageID", m.MessageID, tt.messageID)
			check("InReplyTo", m.InReplyTo, tt.inReplyTo)
			check("References", m.References, tt.references)
			check("Text", m.Text, tt.text)
			check("Reply", m.Reply, tt.reply)
			if !m.Date.Equal(tt.date) {
				t.Errorf("Date = %v, want %v", m.Date, tt.date)
			}
			if m.Attachments != nil {
				t.Errorf("Attachments = %v with a nil keep", m.Attachments)
			}
		})
	}
}

func TestParseStreamsAttachmentsToKeep(t *testing.T) {
	pdf, png := fileSum(t, "receipt.pdf"), fileSum(t, "photo.png")
	var got []kept
	m := parseFile(t, "attachments.eml", keepAll(&got))

	notes := sha256.Sum256([]byte{0xb6, 0xa9, 0xb5, 0xa5, 0xba, 0xc5, ' ', '1', '2', '3', '4', '5'}) // "订单号 12345" in GBK, as sent
	want := []kept{
		{inbound.Attachment{Filename: "receipt.pdf", ContentType: "application/pdf"}, pdf},
		{inbound.Attachment{Filename: "photo.png", ContentType: "image/png"}, png}, // inline, with a filename
		{inbound.Attachment{Filename: "发票照片.png", ContentType: "image/png"}, png},  // RFC 2231
		{inbound.Attachment{Filename: "notes.txt", ContentType: "text/plain"}, notes},
		// smime.p7s is the mail client's signature, not the customer's file.
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("kept\n%+v\nwant\n%+v", got, want)
	}
	wantInfo := []inbound.AttachmentInfo{
		{Attachment: want[0].Attachment, Size: fileSize(t, "receipt.pdf")},
		{Attachment: want[1].Attachment, Size: fileSize(t, "photo.png")},
		{Attachment: want[2].Attachment, Size: fileSize(t, "photo.png")},
		{Attachment: want[3].Attachment, Size: 12},
	}
	if !reflect.DeepEqual(m.Attachments, wantInfo) {
		t.Errorf("Attachments = %+v, want %+v", m.Attachments, wantInfo)
	}
	if want := "The kettle I bought stopped heating after two days.\nThe receipt and a photo are attached."; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
}

func TestParseGoesOnPastMalformedParts(t *testing.T) {
	var got []kept
	m := parseFile(t, "malformed.eml", keepAll(&got))
	// bad.bin is not base64 and cut.txt has no closing boundary: keep saw their
	// read errors, failed, and the message went on without them.
	want := []inbound.AttachmentInfo{{Attachment: inbound.Attachment{Filename: "good.pdf", ContentType: "application/pdf"}, Size: 9}}
	if !reflect.DeepEqual(m.Attachments, want) {
		t.Errorf("Attachments = %+v, want %+v", m.Attachments, want)
	}
	if m.Text != "The body survives." {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParseKeepSizeCountsWhatKeepLeftUnread(t *testing.T) {
	var names []string
	m := parseFile(t, "attachments.eml", func(a inbound.Attachment, _ io.Reader) error {
		names = append(names, a.Filename)
		return nil
	})
	if len(names) != 4 || m.Attachments[0].Size != fileSize(t, "receipt.pdf") {
		t.Errorf("kept %q, Attachments %+v", names, m.Attachments)
	}
}

func TestParseFailures(t *testing.T) {
	errStore := errors.New("blob store down")
	errLine := errors.New("connection reset")
	raw, err := os.ReadFile(filepath.Join("testdata", "attachments.eml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		r    io.Reader
		keep func(inbound.Attachment, io.Reader) error
		want error
	}{
		{"header line without a colon", strings.NewReader("this is not a header\r\n\r\nbody"), nil, inbound.ErrMalformed},
		{"empty message", strings.NewReader(""), nil, inbound.ErrMalformed},
		{"header over 1 MiB", strings.NewReader("X-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\nbody"), nil, inbound.ErrMalformed},
		{"keep fails", strings.NewReader(string(raw)), func(inbound.Attachment, io.Reader) error { return errStore }, errStore},
		// The source failing mid-attachment is not a malformed part: the
		// listener must answer 4xx, so keep's own error does not hide it.
		{"source fails in an attachment", io.MultiReader(strings.NewReader(string(raw[:1500])), failing{errLine}),
			func(_ inbound.Attachment, r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }, errLine},
		{"source fails after the body", io.MultiReader(strings.NewReader("Subject: hi\r\n\r\nbody\r\n"), failing{errLine}), nil, errLine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := inbound.Parse(tt.r, tt.keep)
			if !errors.Is(err, tt.want) || m != nil {
				t.Errorf("Parse = %v, %v; want nil, %v", m, err, tt.want)
			}
		})
	}
}

func TestParseLooseAddresses(t *testing.T) {
	m := parseString(t, "From: Zhang San (VIP <Zhang@Example.CN>\r\n"+
		"To: Complaints <complaints@redress.example>, \"broken\" x@y.example>, nobody\r\n\r\nbody")
	if want := (mail.Address{Name: "Zhang San (VIP", Address: "zhang@example.cn"}); m.From != want {
		t.Errorf("From = %+v, want %+v", m.From, want)
	}
	if want := []string{"complaints@redress.example", "x@y.example"}; !reflect.DeepEqual(m.To, want) {
		t.Errorf("To = %q, want %q", m.To, want)
	}
}

func TestParseHeaderOnly(t *testing.T) {
	m := parseString(t, "From: a@example.com\r\nSubject: no body")
	if m.Subject != "no body" || m.Text != "" || m.Reply != "" {
		t.Errorf("Subject %q, Text %q, Reply %q", m.Subject, m.Text, m.Reply)
	}
}

func TestParseCapsText(t *testing.T) {
	long := strings.Repeat("é", inbound.MaxTextBytes) // twice the cap in bytes; every cut point but one splits a rune
	for _, mediaType := range []string{"text/plain", "text/html"} {
		m := parseString(t, "Content-Type: "+mediaType+"; charset=utf-8\r\n\r\nx"+long)
		if len(m.Text) > inbound.MaxTextBytes || len(m.Text) < inbound.MaxTextBytes-utf8.UTFMax || !utf8.ValidString(m.Text) {
			t.Errorf("%s: Text is %d bytes, valid UTF-8 %v", mediaType, len(m.Text), utf8.ValidString(m.Text))
		}
	}
}

func TestParseDropsControlCharacters(t *testing.T) {
	m := parseString(t, "Subject: a\x00b\r\n\r\nline one\x00\x07\r\nline two\r\n")
	if m.Subject != "ab" || m.Text != "line one\nline two" {
		t.Errorf("Subject %q, Text %q", m.Subject, m.Text)
	}
}

func TestParsePrefersNonBlankBody(t *testing.T) {
	raw := "Content-Type: multipart/alternative; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/plain\r\n\r\n \r\n" +
		"--x\r\nContent-Type: text/html\r\n\r\n<p>only the HTML says it</p>\r\n--x--\r\n"
	if m := parseString(t, raw); m.Text != "only the HTML says it" {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParseMixedTakesFirstTextPart(t *testing.T) {
	raw := "Content-Type: multipart/mixed; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/html\r\n\r\n<p>first</p>\r\n" +
		"--x\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--x--\r\n"
	if m := parseString(t, raw); m.Text != "first" {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestParseNesting(t *testing.T) {
	nest := func(levels int) string {
		var open, close strings.Builder
		for i := range levels {
			fmt.Fprintf(&open, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
			fmt.Fprintf(&close, "\r\n--b%d--", levels-1-i)
		}
		return "From: a@example.com\r\n" + open.String() + "Content-Type: text/plain\r\n\r\ndeep down" + close.String() + "\r\n"
	}
	if m := parseString(t, nest(16)); m.Text != "deep down" {
		t.Errorf("16 levels: Text = %q", m.Text)
	}
	// A hostile depth is skipped, not followed until memory runs out.
	if m := parseString(t, nest(10000)); m.Text != "" {
		t.Errorf("10000 levels: Text = %q", m.Text)
	}
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }

func fileSum(t *testing.T, name string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func fileSize(t *testing.T, name string) int64 {
	t.Helper()
	info, err := os.Stat(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}
