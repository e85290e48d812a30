package attachments

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/redress-dev/redress"
)

// uploadMemory is how much of a page's multipart form is held in memory;
// the files beyond it wait in temporary files, which the HTTP server
// removes when the request ends.
const uploadMemory = 256 << 10

// formFields bounds the text fields a page sends beside its files.
const formFields = 1 << 20

// ParseUploads reads a page's multipart form of at most maxFiles files, so
// that no file is held whole in memory; it must run before anything reads
// a form value (which would hold 32 MiB in memory). A body larger than the
// files may make is ETOOLARGE. A form that is not multipart is left alone.
func ParseUploads(w http.ResponseWriter, r *http.Request, maxFiles int) error {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, int64(maxFiles)*(MaxSize+64<<10)+formFields)
	err := r.ParseMultipartForm(uploadMemory)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return redress.Errorf(redress.ETOOLARGE, "at most %d files of %d MiB each", maxFiles, MaxSize>>20)
	case err != nil:
		return redress.Errorf(redress.EINVALID, "the form could not be read: %v", err)
	}
	return nil
}

// Picked are the files a page's form sent in field, leaving out the empty
// part a browser sends when no file was chosen.
func Picked(r *http.Request, field string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	var files []*multipart.FileHeader
	for _, f := range r.MultipartForm.File[field] {
		if f.Filename != "" || f.Size > 0 {
			files = append(files, f)
		}
	}
	return files
}
