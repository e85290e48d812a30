// Package selfservice is the customers' own front door (SPEC section 10):
// the public complaint form at /complain and the portal at /my, in English
// and Chinese, usable without JavaScript. It files through the same intake operation as the
// JSON API and inbound mail, so the customer is found by the one identity
// rule and never refused for their details.
package selfservice

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/intake"
	"github.com/redress-dev/redress/locales"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/ratelimit"
	"github.com/redress-dev/redress/tokens"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Options are what the front door is built from.
type Options struct {
	DB          *postgres.DB
	Intake      *intake.Service
	Attachments *attachments.Store // keeps the form's files
	Tokens      *tokens.Signer
	// Secret signs the form's challenges (REDRESS_TOKEN_SECRET).
	Secret string
	// PublicURL tells whether cookies travel over HTTPS only.
	PublicURL string
	Timezone  string
	// PerAddress limits the complaints filed from one address; over it the
	// form is shown again with a 429.
	PerAddress config.Rate
	Logger     *slog.Logger
}

// Service serves the form.
type Service struct {
	o       Options
	secret  []byte
	secure  bool
	limit   *ratelimit.Shared
	pages   map[string]*template.Template
	nowFunc func() time.Time
}

// New builds the front door.
func New(o Options) *Service {
	s := &Service{o: o, secret: []byte(o.Secret), secure: strings.HasPrefix(o.PublicURL, "https://"),
		pages: map[string]*template.Template{}, nowFunc: time.Now}
	if !o.PerAddress.Off() {
		s.limit = ratelimit.NewShared(o.DB, "complaint_form", o.PerAddress)
	}
	loc, err := redress.LoadZone(o.Timezone)
	if err != nil {
		loc = time.UTC
	}
	for _, lang := range redress.Languages {
		words := locales.For(lang)
		funcs := template.FuncMap{"t": words.Text, "tf": words.Format,
			"when": func(v any) string {
				switch t := v.(type) {
				case time.Time:
					return t.In(loc).Format("2006-01-02 15:04 MST")
				case *time.Time:
					if t != nil {
						return t.In(loc).Format("2006-01-02 15:04 MST")
					}
				}
				return ""
			}}
		s.pages[lang] = template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html"))
	}
	return s
}

// Register serves the form's routes. Its POST carries a CSRF token that
// matches a cookie of the site's own (double submit), so another site
// cannot file a complaint in a visitor's name.
func (s *Service) Register(e *echo.Echo) {
	csrf := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup: "form:_csrf", CookieName: "redress_form_csrf", CookiePath: "/complain",
		CookieHTTPOnly: true, CookieSecure: s.secure, CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return s.showForm(c, http.StatusForbidden, formValues{}, map[string]string{"form": "form.expired"})
		},
	})
	e.GET(formRoute, s.form, csrf)
	e.POST(formRoute, s.submit, s.readUploads, csrf)
	s.registerPortal(e, middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup: "form:_csrf", CookieName: "redress_my_csrf", CookiePath: "/my",
		CookieHTTPOnly: true, CookieSecure: s.secure, CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return s.showPortal(c, http.StatusForbidden, portalPage{Error: words(c).Text("form.expired")})
		},
	}))
}

// Close has nothing to end: the form holds no streams.
func (s *Service) Close() {}

// words are the request's language: ?lang= (also carried by the form),
// else the browser's.
func words(c echo.Context) locales.Catalog {
	chosen := c.QueryParam("lang")
	if chosen == "" {
		chosen = c.FormValue("lang")
	}
	return locales.For(locales.Choose(chosen, c.Request().Header.Get("Accept-Language")))
}

func (s *Service) render(c echo.Context, status int, name string, data any) error {
	w := words(c)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/html; charset=utf-8")
	h.Set("Content-Language", w.Tag())
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	c.Response().WriteHeader(status)
	return s.pages[w.Language()].ExecuteTemplate(c.Response(), name, data)
}
