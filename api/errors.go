package api

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
)

// problem is an RFC 9457 problem detail.
type problem struct {
	Type   string               `json:"type"`
	Title  string               `json:"title"`
	Status int                  `json:"status"`
	Detail string               `json:"detail"`
	Errors []redress.FieldError `json:"errors,omitempty"`
}

// handleError is the one place where errors become HTTP answers. Only
// internal errors are logged: the others are the caller's to fix.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := problem{}
	retryAfter := time.Duration(0)
	var he *echo.HTTPError
	var de *redress.Error
	switch {
	case errors.As(err, &de):
		p.Status = redress.HTTPStatus(de)
		p.Detail = de.Message
		p.Errors = de.Fields
		p.Type = "urn:redress:problem:" + de.Code
		retryAfter = de.RetryAfter
	case errors.As(err, &he):
		p.Status = he.Code
		p.Detail = http.StatusText(he.Code)
		if msg, ok := he.Message.(string); ok {
			p.Detail = msg
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			p.Detail = "the request body is larger than 64 KiB"
		}
		p.Type = "urn:redress:problem:" + strings.ReplaceAll(strings.ToLower(http.StatusText(he.Code)), " ", "_")
	default:
		p.Status = http.StatusInternalServerError
		p.Detail = "internal error"
		p.Type = "urn:redress:problem:" + redress.EINTERNAL
	}
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	p.Title = http.StatusText(p.Status)
	if p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
		s.logger.Error("request failed", "method", c.Request().Method, "path", c.Path(), "error", err)
	}
	h := c.Response().Header()
	if retryAfter == 0 && (p.Status == http.StatusServiceUnavailable || p.Status == http.StatusTooManyRequests) {
		retryAfter = 5 * time.Second
	}
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	}
	switch p.Status {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="redress"`)
	}
	h.Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method != http.MethodHead {
		_ = jsonEncode(c.Response(), p)
	}
}
