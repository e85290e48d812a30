package console

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
)

// replyRoute takes the files an agent sends with a reply, so its body is
// bounded by the files' limits, not by the API's 64 KiB.
const replyRoute = "/console/complaints/:id/reply"

func (c *Console) registerAttachments(g *echo.Group) {
	g.GET("/attachments/:id", c.downloadAttachment)
	g.GET("/attachments/:id/thumbnail", c.thumbnail)
}

// OwnsBody tells the API which console requests bound their own bodies.
func (c *Console) OwnsBody(ctx echo.Context) bool {
	return ctx.Path() == replyRoute && ctx.Request().Method == http.MethodPost
}

// readUploads reads the reply's files before anything reads the form, so
// that none is held whole in memory. It runs after the session check: only
// signed-in staff can make the server read a large body.
func (c *Console) readUploads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		if c.OwnsBody(ctx) {
			if err := attachments.ParseUploads(ctx.Response(), ctx.Request(), redress.MaxReplyFiles); err != nil {
				return c.failure(ctx, err)
			}
		}
		return next(ctx)
	}
}

// attach keeps the files the reply form sent, as the signed-in person's,
// and returns their ids, to be sent with the reply.
func (c *Console) attach(ctx echo.Context, complaintID string) ([]string, error) {
	v := viewerOf(ctx)
	var ids []string
	for _, picked := range attachments.Picked(ctx.Request(), "files") {
		file, err := picked.Open()
		if err != nil {
			return nil, err
		}
		a, _, err := c.files.Add(ctx.Request().Context(), attachments.Upload{ComplaintID: complaintID, Filename: picked.Filename,
			From: redress.AttachmentFromStaff, Actor: v.User.Email, By: redress.ByUser(v.User.Email)}, file)
		file.Close()
		if err != nil {
			return nil, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

func (c *Console) downloadAttachment(ctx echo.Context) error {
	a, body, err := c.files.Read(ctx.Request().Context(), ctx.Param("id"))
	if err != nil {
		return c.failure(ctx, err)
	}
	if err := c.audit(ctx, viewerActor(ctx), redress.AuditReadComplaint, "complaint:"+a.ComplaintID,
		map[string]any{"where": "console", "attachment": a.ID}); err != nil {
		body.Close()
		return c.failure(ctx, err)
	}
	return attachments.Send(ctx.Response(), a, body)
}

// thumbnail is a small JPEG of an image attachment, for the complaint page.
// An attachment's bytes never change, so the browser may keep it a day.
func (c *Console) thumbnail(ctx echo.Context) error {
	jpeg, err := c.files.Thumbnail(ctx.Request().Context(), ctx.Param("id"))
	if err != nil {
		return c.failure(ctx, err)
	}
	h := ctx.Response().Header()
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	return ctx.Blob(http.StatusOK, "image/jpeg", jpeg)
}
