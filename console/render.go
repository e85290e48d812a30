package console

import (
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/redress-dev/redress"
)

// page is what every console template gets.
type page struct {
	Title  string
	Lang   string
	Viewer *viewer // nil on the sign-in page
	Nav    string  // the current tab: a queue's name, "supervisor"
	Error  string  // a refusal or failure to show above the content
	Data   any
}

// languages the console speaks; every key exists in each (a test checks).
var languages = language.NewMatcher([]language.Tag{language.English, language.Chinese})

// wordParts are the words of each page, each file owning its own.
func wordParts() []map[string]map[string]string {
	return []map[string]map[string]string{commonWords, queueWords, complaintWords, supervisorWords}
}

// words merges the words of every page.
func words() map[string]map[string]string {
	all := map[string]map[string]string{"en": {}, "zh": {}}
	for _, part := range wordParts() {
		for lang, w := range part {
			maps.Copy(all[lang], w)
		}
	}
	return all
}

func parseTemplates() map[string]*template.Template {
	sets := map[string]*template.Template{}
	for lang, w := range words() {
		sets[lang] = template.Must(template.New("").Funcs(templateFuncs(lang, w)).ParseFS(templateFiles, "templates/*.html"))
	}
	return sets
}

func templateFuncs(lang string, w map[string]string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string) string {
			if s, ok := w[key]; ok {
				return s
			}
			return key
		},
		// tf fills a message's %s and %d.
		"tf": func(key string, args ...any) string { return fmt.Sprintf(w[key], args...) },
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
		"lang":       func() string { return lang },
		"level":      func(n int) string { return w[fmt.Sprintf("level_%d", n)] },
		"has":        func(s redress.State, a string) bool { return s.Allows(redress.StaffAction(a)) },
		"queueNames": func() []string { return queueOrder },
		"seconds":    spanText,
		// age is how long ago since was, to the minute.
		"age": func(since, now time.Time) string {
			d := max(now.Sub(since), 0)
			switch {
			case d >= 24*time.Hour:
				return fmt.Sprintf(w["age_days"], int(d.Hours())/24, int(d.Hours())%24)
			case d >= time.Hour:
				return fmt.Sprintf(w["age_hours"], int(d.Hours()), int(d.Minutes())%60)
			}
			return fmt.Sprintf(w["age_minutes"], int(d.Minutes()))
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

// pageLanguage is the person's chosen language, else the browser's.
func pageLanguage(ctx echo.Context, chosen string) string {
	if chosen != "" {
		return chosen
	}
	tags, _, _ := language.ParseAcceptLanguage(ctx.Request().Header.Get("Accept-Language"))
	if _, i, _ := languages.Match(tags...); i == 1 {
		return "zh"
	}
	return "en"
}

// render writes a page: HTML, never cached (it shows customers' data).
func (c *Console) render(ctx echo.Context, status int, name string, p page) error {
	if v := viewerOf(ctx); v != nil {
		p.Viewer, p.Lang = v, v.Lang
	}
	if p.Lang == "" {
		p.Lang = pageLanguage(ctx, "")
	}
	h := ctx.Response().Header()
	h.Set(echo.HeaderContentType, "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", map[string]string{"en": "en", "zh": "zh-CN"}[p.Lang])
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	ctx.Response().WriteHeader(status)
	return c.pages[p.Lang].ExecuteTemplate(ctx.Response(), name, p)
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
