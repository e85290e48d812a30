package selfservice

import (
	"context"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
)

// formRoute takes the customer's files, so its body is bounded by the
// files' limits, not by the API's 64 KiB.
const formRoute = "/complain"

// OwnsBody tells the API which requests of the form bound their own bodies.
func (s *Service) OwnsBody(c echo.Context) bool {
	return c.Path() == formRoute && c.Request().Method == http.MethodPost
}

// readUploads reads the form's files before anything reads a field, so
// that none is held whole in memory.
func (s *Service) readUploads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := attachments.ParseUploads(c.Response(), c.Request(), attachments.MaxPerComplaint); err != nil {
			status := redress.HTTPStatus(err)
			if redress.ErrorCode(err) == redress.ETOOLARGE {
				return s.showForm(c, status, formValues{}, map[string]string{"files": "form.files_too_large"})
			}
			return s.showForm(c, status, formValues{}, map[string]string{"form": "form.invalid"})
		}
		return next(c)
	}
}

// checkFiles says what is wrong with the files picked, by a message id of
// the catalogs, before anything is filed: the customer can put it right.
func checkFiles(files []*multipart.FileHeader) (problem, name string) {
	if len(files) > attachments.MaxPerComplaint {
		return "form.files_too_many", ""
	}
	for _, f := range files {
		file, err := f.Open()
		if err != nil {
			return "form.file_unreadable", f.Filename
		}
		err = attachments.CheckFile(file, f.Size)
		file.Close()
		switch {
		case err == nil:
		case redress.ErrorCode(err) == redress.ETOOLARGE:
			return "form.file_too_large", f.Filename
		case redress.ErrorCode(err) == redress.EUNSUPPORTED:
			return "form.file_type", f.Filename
		default:
			return "form.file_unreadable", f.Filename
		}
	}
	return "", ""
}

// keepFiles adds the customer's files to the complaint filed. A file kept
// by an earlier send of the same form is kept once.
func (s *Service) keepFiles(ctx context.Context, complaintID string, files []*multipart.FileHeader) ([]string, error) {
	var kept []string
	for _, f := range files {
		file, err := f.Open()
		if err != nil {
			return kept, err
		}
		a, _, err := s.o.Attachments.Add(ctx, attachments.Upload{ComplaintID: complaintID, Filename: f.Filename,
			From: redress.AttachmentFromCustomer, Actor: "customer", By: redress.ByCustomerForm}, file)
		file.Close()
		if err != nil {
			return kept, err
		}
		kept = append(kept, a.Filename)
	}
	return kept, nil
}
