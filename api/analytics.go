package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
)

// maxAnalyticsWindow keeps a summary's scan bounded.
const maxAnalyticsWindow = 400 * 24 * time.Hour

// analyticsSummary measures the complaints filed from `from` (inclusive) to
// `to`: by default the last 30 days.
func (s *Server) analyticsSummary(c echo.Context) error {
	q := c.QueryParams()
	ch := &redress.Checker{}
	for name := range q {
		if !slices.Contains([]string{"from", "to"}, name) {
			ch.Fail(name, "unknown parameter; use from and to")
		}
	}
	to := time.Now().UTC()
	if v := q.Get("to"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			ch.Fail("to", "must be an RFC 3339 time like 2026-11-22T00:00:00Z")
		}
		to = t.UTC()
	}
	from := to.Add(-30 * 24 * time.Hour)
	if v := q.Get("from"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			ch.Fail("from", "must be an RFC 3339 time like 2026-11-01T00:00:00Z")
		}
		from = t.UTC()
	}
	if ch.Err() == nil {
		if !from.Before(to) {
			ch.Fail("from", "must be before to")
		} else if to.Sub(from) > maxAnalyticsWindow {
			ch.Fail("from", "the window may span at most 400 days")
		}
	}
	if err := ch.Err(); err != nil {
		return err
	}
	summary, err := s.db.Summary(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, summary)
}
