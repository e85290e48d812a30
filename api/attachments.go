package api

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
)

// uploadRoute takes files, so the 64 KiB limit of every other body does
// not hold for it; uploadBodyLimit bounds the whole request instead, one
// file and its multipart framing, while the store holds the file itself to
// attachments.MaxSize as it streams.
const (
	uploadRoute     = "/v1/complaints/:id/attachments"
	uploadBodyLimit = attachments.MaxSize + 64<<10
	// uploadTimeout replaces the server's 30 s for reading a request: 10
	// MiB over a slow mobile link takes longer.
	uploadTimeout = 5 * time.Minute
)

// uploadAttachment adds the file in the multipart field "file" to the
// complaint: 201 with the attachment, 200 with the one already kept when
// the complaint has the same file under the same name. An intake system's
// file is the customer's; any other staff key's is staff's.
func (s *Server) uploadAttachment(c echo.Context) error {
	req := c.Request()
	_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(uploadTimeout))
	req.Body = overLimitIsTooLarge{http.MaxBytesReader(c.Response(), req.Body, uploadBodyLimit)}
	form, err := req.MultipartReader()
	if err != nil {
		return redress.Errorf(redress.EUNSUPPORTED, "send the file as multipart/form-data, in the field file")
	}
	file, err := filePart(form)
	if err != nil {
		return err
	}
	key := caller(c)
	if intakeCaller(key) {
		complaint, err := s.db.Complaint(req.Context(), c.Param("id"))
		if err != nil {
			return err
		}
		if !filedByCaller(key, complaint) {
			return redress.Errorf(redress.ENOTFOUND, "no complaint %q among those this key filed", c.Param("id"))
		}
	}
	upload := attachments.Upload{ComplaintID: c.Param("id"), Filename: file.FileName(),
		From: redress.AttachmentFromStaff, Actor: key.Name, By: redress.ByKey(key.Name)}
	if key.Role == config.RoleIntake {
		upload.From, upload.Actor = redress.AttachmentFromCustomer, "customer"
	}
	a, added, err := s.attachments.Add(req.Context(), upload, file)
	if err != nil {
		return err
	}
	return answerStored(c, added, a)
}

// filePart finds the part named "file", passing over any other field.
func filePart(form *multipart.Reader) (*multipart.Part, error) {
	for {
		part, err := form.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, redress.Invalid(redress.FieldError{Field: "file", Message: "is required: send the file in the multipart field file"})
		}
		if err != nil {
			return nil, unreadableForm(err)
		}
		if part.FormName() == "file" {
			return part, nil
		}
		if _, err := io.Copy(io.Discard, part); err != nil {
			return nil, unreadableForm(err)
		}
	}
}

func unreadableForm(err error) error {
	var known *redress.Error
	if errors.As(err, &known) {
		return known
	}
	return redress.Errorf(redress.EINVALID, "the multipart body is malformed: %v", err)
}

// overLimitIsTooLarge answers a request body past its limit as the
// caller's fault, 413, however deep in a multipart reader it is met.
type overLimitIsTooLarge struct{ io.ReadCloser }

func (b overLimitIsTooLarge) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = redress.Errorf(redress.ETOOLARGE, "the request is larger than one file of %d MiB may make it", attachments.MaxSize>>20)
	}
	return n, err
}

// downloadAttachment sends an attachment to staff; an intake key gets the
// files the customer's side sees of the complaints it filed.
func (s *Server) downloadAttachment(c echo.Context) error {
	ctx := c.Request().Context()
	a, body, err := s.attachments.Read(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if key := caller(c); intakeCaller(key) {
		complaint, err := s.db.Complaint(ctx, a.ComplaintID)
		if err != nil {
			body.Close()
			return err
		}
		if !filedByCaller(key, complaint) || !a.ShownToCustomer() {
			body.Close()
			return redress.Errorf(redress.ENOTFOUND, "no attachment %q among those this key may read", c.Param("id"))
		}
	}
	if err := s.audit(c, keyActor(c), redress.AuditReadComplaint, "complaint:"+a.ComplaintID,
		map[string]any{"where": "api", "attachment": a.ID}); err != nil {
		body.Close()
		return err
	}
	return attachments.Send(c.Response(), a, body)
}

// customerAttachment sends the customer one of their own files on the
// complaint their tracking link opens; any other id is 404.
func (s *Server) customerAttachment(c echo.Context) error {
	ctx := c.Request().Context()
	complaint, err := s.trackedComplaint(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	a, body, err := s.attachments.ReadForCustomer(ctx, complaint.ID, c.Param("id"))
	if err != nil {
		return err
	}
	return attachments.Send(c.Response(), a, body)
}
