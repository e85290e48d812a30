package openapi

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"net/http"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/labstack/echo/v4"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales"
)

//go:embed templates
var templateFiles embed.FS

// markdown renders the document's own descriptions; goldmark leaves raw
// HTML out, so a description cannot put script on the page.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table))

// Register serves the document at /openapi.json and /openapi.yaml and the
// reference page at /docs.
func Register(e *echo.Echo) {
	e.GET("/openapi.json", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/json", JSON())
	})
	e.GET("/openapi.yaml", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/yaml", YAML())
	})
	e.GET("/docs", referencePage)
}

// renderedReference is the reference page in each language, rendered
// once: the document is built in.
var renderedReference = sync.OnceValues(func() (map[string][]byte, error) {
	ref := NewReference(Document())
	out := map[string][]byte{}
	for _, lang := range redress.Languages {
		funcs := htmltemplate.FuncMap{
			"t":    locales.For(lang).Text,
			"join": strings.Join,
			"markdown": func(src string) htmltemplate.HTML {
				var out bytes.Buffer
				if err := markdown.Convert([]byte(src), &out); err != nil {
					return htmltemplate.HTML(htmltemplate.HTMLEscapeString(src))
				}
				return htmltemplate.HTML(out.String()) // #nosec G203: goldmark's output, raw HTML left out
			},
		}
		page, err := htmltemplate.New("reference.html").Funcs(funcs).ParseFS(templateFiles, "templates/reference.html")
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := page.Execute(&b, struct{ Ref Reference }{ref}); err != nil {
			return nil, err
		}
		out[lang] = b.Bytes()
	}
	return out, nil
})

// referencePage serves the document in the reader's language (the page's
// own words; the document's descriptions are in English), with nothing
// loaded from another site.
func referencePage(c echo.Context) error {
	pages, err := renderedReference()
	if err != nil {
		return err
	}
	words := locales.For(locales.Choose(c.QueryParam("lang"), c.Request().Header.Get("Accept-Language")))
	h := c.Response().Header()
	h.Set("Content-Language", words.Tag())
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	return c.HTMLBlob(http.StatusOK, pages[words.Language()])
}

// Markdown is the reference as docs/api-reference.md holds it.
func Markdown() ([]byte, error) {
	funcs := texttemplate.FuncMap{
		"join": strings.Join,
		// cell keeps a value on its table row.
		"cell": func(s string) string {
			return strings.NewReplacer("\n", " ", "|", `\|`).Replace(strings.TrimSpace(s))
		},
	}
	tmpl, err := texttemplate.New("reference.md").Funcs(funcs).ParseFS(templateFiles, "templates/reference.md")
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, NewReference(Document())); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
