package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// audit records a read of personal data, or a sign-in, in the audit log
// before the answer goes out: what cannot be recorded is not handed out.
func (s *Server) audit(c echo.Context, actor, action, target string, detail map[string]any) error {
	return s.db.Audit(c.Request().Context(), redress.AuditLine{Actor: actor, Action: action, Target: target, Detail: detail})
}

// keyActor is the audit log's name for the request's API key.
func keyActor(c echo.Context) string { return redress.ByKey(caller(c).Name) }

var auditParams = []string{"actor", "action", "target", "from", "to", "limit", "cursor"}

type auditPage struct {
	Items      []redress.AuditLine `json:"items"`
	NextCursor string              `json:"next_cursor"`
}

// auditLog lists the audit log newest first, filtered by actor, action,
// target and a window, a page at a time.
func (s *Server) auditLog(c echo.Context) error {
	q := c.QueryParams()
	ch := &redress.Checker{}
	for name := range q {
		if !slices.Contains(auditParams, name) {
			ch.Fail(name, "unknown filter; use %s", redress.List(auditParams))
		}
	}
	f := postgres.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Target: q.Get("target"), Limit: 100}
	for name, into := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				ch.Fail(name, "must be an RFC 3339 time like 2026-11-22T10:00:00Z")
				continue
			}
			*into = &t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			ch.Fail("limit", "must be a whole number from 1 to 500")
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			ch.Fail("cursor", "not a cursor from a previous page")
		}
		f.Before = n
	}
	if err := ch.Err(); err != nil {
		return err
	}
	lines, next, err := s.db.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	page := auditPage{Items: lines}
	if next > 0 {
		page.NextCursor = strconv.FormatInt(next, 10)
	}
	return c.JSON(http.StatusOK, page)
}
