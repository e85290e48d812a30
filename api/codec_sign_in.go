package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/redress-dev/redress"
)

// codecSignInCSRF guards the sign-in page's forms with a token that must
// match a cookie of the site's own (double submit): another site cannot
// sign a supervisor's browser in to a key of its choosing, or out.
func (s *Server) codecSignInCSRF() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup: "form:_csrf", CookieName: "redress_codec_csrf", CookiePath: "/codec",
		CookieHTTPOnly: true, CookieSecure: s.codecSessions.secure, CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return s.showCodecSignIn(c, http.StatusForbidden, pageWords(c).Text("codec.expired"))
		},
	})
}

func (s *Server) codecSignInPage(c echo.Context) error {
	return s.showCodecSignIn(c, http.StatusOK, "")
}

func (s *Server) showCodecSignIn(c echo.Context, status int, message string) error {
	words := pageWords(c)
	if key, ok, _ := s.codecSessions.verify(c.Request().Context(), c); ok && message == "" {
		message = words.Format("codec.signed_in_as", "Key", key.Name)
	}
	csrf, _ := c.Get("csrf").(string)
	return s.renderPage(c, status, "codec_sign_in", pageData{Title: words.Text("codec.title"), Message: message, CSRF: csrf})
}

func (s *Server) codecSignIn(c echo.Context) error {
	words := pageWords(c)
	key, err := s.keyWithRole(c.FormValue("key"), codecRoles, decodeAction)
	if err != nil {
		status := http.StatusUnauthorized
		if redress.ErrorCode(err) == redress.EFORBIDDEN {
			status = http.StatusForbidden
		}
		// A refusal is recorded under the key it named, if any, never the
		// secret that was typed.
		actor := "unknown"
		if status == http.StatusForbidden {
			if known, found := s.keys.find(c.FormValue("key")); found {
				actor = redress.ByKey(known.Name)
			}
		}
		if err := s.audit(c, actor, redress.AuditSignIn, "codec", map[string]any{"ok": false, "address": c.RealIP()}); err != nil {
			return s.pageError(c, err)
		}
		return s.showCodecSignIn(c, status, words.Format("codec.refused", "Reason", redress.ErrorMessage(err)))
	}
	if err := s.audit(c, redress.ByKey(key.Name), redress.AuditSignIn, "codec", map[string]any{"ok": true, "address": c.RealIP()}); err != nil {
		return s.pageError(c, err)
	}
	if err := s.codecSessions.issue(c, key, time.Now()); err != nil {
		return s.pageError(c, err)
	}
	return s.showCodecSignIn(c, http.StatusOK, words.Format("codec.signed_in_clear", "Key", key.Name))
}

// codecSignOut ends the browser's codec session everywhere: a copy of its
// cookie signs nobody in afterwards.
func (s *Server) codecSignOut(c echo.Context) error {
	if err := s.codecSessions.end(c); err != nil {
		return s.pageError(c, err)
	}
	return s.showCodecSignIn(c, http.StatusOK, pageWords(c).Text("codec.signed_out"))
}

// endCodecSessions ends every codec session: an admin's answer to a lost
// laptop or a departed supervisor.
func (s *Server) endCodecSessions(c echo.Context) error {
	n, err := s.db.EndCodecSessions(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int64{"ended": n})
}
