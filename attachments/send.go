package attachments

import (
	"io"
	"net/http"
	"strconv"

	"github.com/redress-dev/redress"
)

// Send streams a file as a download that no browser renders in place:
// saved under its name, of its sniffed type, never sniffed again. Every
// front door that hands out files sends them this way.
func Send(w http.ResponseWriter, a redress.Attachment, body io.ReadCloser) error {
	defer body.Close()
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("Content-Disposition", ContentDisposition(a.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store") // personal data
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, body)
	return err
}
