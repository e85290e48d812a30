package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
)

// The codec endpoint lets the Temporal Web UI (and `temporal --codec-endpoint`)
// show the encrypted payloads of complaint workflows in clear, to people
// allowed to read customers' data: supervisors and admins. Every call needs
// their credential, a bearer key (the CLI) or the codec session that
// /codec/sign-in gives them (the Web UI sends it when its codec setting
// includeCredentials is on). The Origin header, which any client can write,
// only decides the CORS headers that let a browser read the answer.

// codecBodyLimit is larger than the API's: the UI decodes whole histories.
const codecBodyLimit = "4M"

var codecRoles = []string{config.RoleSupervisor, config.RoleAdmin}

// decodeAction is what other roles are refused.
const decodeAction = "read customers' data"

func (s *Server) registerCodec(e *echo.Echo) {
	if s.codec == nil {
		return
	}
	handler := echo.WrapHandler(http.StripPrefix("/codec", s.codecHandler))
	serve := func(c echo.Context) error {
		trusted := s.allowCodecOrigin(c)
		if c.Request().Method == http.MethodOptions {
			if !trusted {
				return echo.NewHTTPError(http.StatusForbidden, "this origin may not use the codec endpoint")
			}
			return c.NoContent(http.StatusNoContent)
		}
		key, err := s.codecCaller(c)
		if err != nil {
			return err
		}
		// Every decode is a read of customers' data; encoding reads none.
		if strings.HasSuffix(c.Path(), "/decode") {
			if err := s.audit(c, redress.ByKey(key.Name), redress.AuditDecode, "payloads", map[string]any{"where": "codec"}); err != nil {
				return err
			}
		}
		return handler(c)
	}
	g := e.Group("/codec", middleware.BodyLimit(codecBodyLimit))
	for _, path := range []string{"/encode", "/decode"} {
		g.POST(path, serve)
		g.OPTIONS(path, serve)
	}
	csrf := s.codecSignInCSRF()
	g.GET("/sign-in", s.codecSignInPage, csrf)
	g.POST("/sign-in", s.codecSignIn, csrf)
	g.POST("/sign-out", s.codecSignOut, csrf)
}

// allowCodecOrigin sets the CORS headers for a Web UI origin in
// REDRESS_CODEC_ORIGINS, credentials included, and reports whether it is one.
func (s *Server) allowCodecOrigin(c echo.Context) bool {
	origin := c.Request().Header.Get("Origin")
	if origin == "" || !slices.Contains(s.codecOrigins, origin) {
		return false
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
	h.Add("Vary", "Origin")
	return true
}

// codecCaller checks the caller's credential, a supervisor's or admin's
// key or their codec session, and returns the key.
func (s *Server) codecCaller(c echo.Context) (config.APIKey, error) {
	if token := bearerToken(c); token != "" {
		return s.keyWithRole(token, codecRoles, decodeAction)
	}
	if key, ok, err := s.codecSessions.verify(c.Request().Context(), c); err != nil || ok {
		return key, err
	}
	return config.APIKey{}, redress.Errorf(redress.EUNAUTHORIZED,
		"send a supervisor's or admin's key as Authorization: Bearer <key>, or sign in at /codec/sign-in")
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
