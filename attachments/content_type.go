package attachments

import (
	"errors"
	"io"
	"mime"
	"slices"

	"github.com/gabriel-vasile/mimetype"

	"github.com/redress-dev/redress"
)

// sniffLen is how much of a file its type is told from: mimetype's own
// limit, enough to see which office document a zip or OLE file holds.
const sniffLen = 4096

// allowedTypes are the kinds of file a complaint may carry: photos and
// scans, PDF, plain text and the common office documents. Anything a
// browser or a desktop would run or render with scripts (HTML, SVG,
// executables, installers, archives) is refused.
var allowedTypes = []string{
	"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif", "image/bmp", "image/tiff",
	"application/pdf",
	"text/plain", "text/csv", "text/rtf",
	"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
	"application/vnd.oasis.opendocument.presentation",
}

// contentType tells a file's type from its first bytes, whatever its sender
// declared, and refuses one not allowed (EUNSUPPORTED, 415).
func contentType(head []byte) (string, error) {
	detected := mimetype.Detect(head).String() // with its charset, for text
	base, _, err := mime.ParseMediaType(detected)
	if err != nil || !slices.Contains(allowedTypes, base) {
		return "", redress.Errorf(redress.EUNSUPPORTED, "files of type %s are not accepted; send images, PDF, "+
			"plain text or CSV, or office documents (Word, Excel, PowerPoint, OpenDocument, RTF)", detected)
	}
	return detected, nil
}

// CheckFile tells, before a complaint is filed, whether a file would be
// taken: of an allowed type, not empty, at most MaxSize (size as the
// sender's form declared it; Add checks the bytes again).
func CheckFile(file io.Reader, size int64) error {
	if size > MaxSize {
		return redress.Errorf(redress.ETOOLARGE, "a file may be at most %d MiB", MaxSize>>20)
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return unreadable(err)
	}
	if n == 0 {
		return redress.Invalid(redress.FieldError{Field: "file", Message: "is empty"})
	}
	_, err = contentType(head[:n])
	return err
}
