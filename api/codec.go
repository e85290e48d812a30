package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/redress-dev/redress/config"
)

// The codec endpoint lets the Temporal Web UI (and `temporal --codec-endpoint`)
// show the encrypted payloads of complaint workflows in clear, to people
// allowed to read customers' data: callers with a supervisor or admin key,
// and the Web UI origins that REDRESS_CODEC_ORIGINS names (a UI deployed
// behind the organisation's sign-in).

// codecBodyLimit is larger than the API's: the UI decodes whole histories.
const codecBodyLimit = "4M"

func (s *Server) registerCodec(e *echo.Echo) {
	if s.codec == nil {
		return
	}
	allowed := s.requireRole(config.RoleSupervisor, config.RoleAdmin)
	handler := echo.WrapHandler(http.StripPrefix("/codec", s.codecHandler))
	serve := func(c echo.Context) error {
		origin := c.Request().Header.Get("Origin")
		trusted := origin != "" && slices.Contains(s.codecOrigins, origin)
		if trusted {
			h := c.Response().Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
			h.Add("Vary", "Origin")
		}
		if c.Request().Method == http.MethodOptions {
			if !trusted {
				return echo.NewHTTPError(http.StatusForbidden, "this origin may not decode payloads")
			}
			return c.NoContent(http.StatusNoContent)
		}
		if trusted {
			return handler(c)
		}
		return allowed(handler)(c)
	}
	g := e.Group("/codec", middleware.BodyLimit(codecBodyLimit))
	g.POST("/encode", serve)
	g.POST("/decode", serve)
	g.OPTIONS("/encode", serve)
	g.OPTIONS("/decode", serve)
}

func parseOrigins(s string) []string {
	var origins []string
	for _, o := range strings.Split(s, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			origins = append(origins, o)
		}
	}
	return origins
}
