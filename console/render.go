package console

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/locales"
)

// page is what every console template gets.
type page struct {
	Title  string
	Viewer *viewer // nil on the sign-in page
	Nav    string  // the current tab: a queue's name, "supervisor"
	Error  string  // a refusal or failure to show above the content
	Data   any
}

func parseTemplates() map[string]*template.Template {
	sets := map[string]*template.Template{}
	for _, lang := range redress.Languages {
		sets[lang] = template.Must(template.New("").Funcs(templateFuncs(locales.For(lang))).ParseFS(templateFiles, "templates/*.html"))
	}
	return sets
}

func templateFuncs(words locales.Catalog) template.FuncMap {
	return template.FuncMap{
		"t": words.Text,
		// tf fills a message's fields, given as name and value pairs.
		"tf": words.Format,
		// iso is a time for <time datetime>: the page's script shows it in
		// the viewer's own time zone.
		"iso": func(t any) string {
			if tt := timeOf(t); !tt.IsZero() {
				return tt.UTC().Format(time.RFC3339)
			}
			return ""
		},
		// utc is the same time as text for a page read without script.
		"utc": func(t any) string {
			if tt := timeOf(t); !tt.IsZero() {
				return tt.UTC().Format("2006-01-02 15:04 UTC")
			}
			return ""
		},
		"level":      func(n int) string { return words.Text("console.level_" + strconv.Itoa(n)) },
		"has":        func(s redress.State, a string) bool { return s.Allows(redress.StaffAction(a)) },
		"queueNames": func() []string { return queueOrder },
		"seconds":    spanText,
		"thumb":      attachments.HasThumbnail,
		// bytes is a file's size for people.
		"bytes": func(n int64) string {
			switch {
			case n >= 1<<20:
				return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
			case n >= 1<<10:
				return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
			}
			return words.Format("console.n_bytes", "Count", n)
		},
		// age is how long ago since was, to the minute.
		"age": func(since, now time.Time) string {
			d := max(now.Sub(since), 0)
			hours, minutes := int(d.Hours()), int(d.Minutes())%60
			switch {
			case d >= 24*time.Hour:
				return words.Format("console.age_days", "Days", hours/24, "Hours", hours%24)
			case d >= time.Hour:
				return words.Format("console.age_hours", "Hours", hours, "Minutes", minutes)
			}
			return words.Format("console.age_minutes", "Minutes", minutes)
		},
	}
}

func timeOf(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case *time.Time:
		if t != nil {
			return *t
		}
	}
	return time.Time{}
}

// wordsFor are the words of the request's page: in the signed-in
// person's language, else the browser's.
func wordsFor(ctx echo.Context) locales.Catalog {
	if v := viewerOf(ctx); v != nil {
		return locales.For(v.Lang)
	}
	return locales.For(locales.Choose("", ctx.Request().Header.Get("Accept-Language")))
}

// render writes a page: HTML, never cached (it shows customers' data).
func (c *Console) render(ctx echo.Context, status int, name string, p page) error {
	p.Viewer = viewerOf(ctx)
	words := wordsFor(ctx)
	h := ctx.Response().Header()
	h.Set(echo.HeaderContentType, "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", words.Tag())
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	ctx.Response().WriteHeader(status)
	return c.pages[words.Language()].ExecuteTemplate(ctx.Response(), name, p)
}

// failure shows an error as a page: what a person can act on in the
// domain's words, anything else as a generic failure that is logged.
func (c *Console) failure(ctx echo.Context, err error) error {
	code := redress.ErrorCode(err)
	status := redress.HTTPStatus(err)
	msg := redress.ErrorMessage(err)
	if code == redress.EINTERNAL {
		status = http.StatusInternalServerError
		c.logger.Error("console page failed", "path", ctx.Path(), "error", err)
	}
	var e *redress.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		ctx.Response().Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
	return c.render(ctx, status, "message", page{Title: http.StatusText(status), Error: msg})
}

// trimmed is a form value without surrounding space.
func trimmed(ctx echo.Context, name string) string { return strings.TrimSpace(ctx.FormValue(name)) }

// spanText is a length of time as a person reads it: "4d 23h 59m".
func spanText(seconds int64) string {
	d, h, m := seconds/86400, seconds%86400/3600, seconds%3600/60
	switch {
	case d > 0:
		return fmt.Sprintf("%dd %dh %dm", d, h, m)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm %ds", m, seconds%60)
}
