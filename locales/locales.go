// Package locales holds the words people read, one catalog per language in
// a file of its own (en.toml, zh.toml), for every front door: the
// customers' pages, the codec sign-in, the console and the e-mail. Ids are
// grouped by front door ("pages.history", "console.queue_mine",
// "email.received"); a message may name fields ({{.Count}}) that Format
// fills.
package locales

import (
	"embed"
	"fmt"
	"slices"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"

	"github.com/redress-dev/redress"
)

//go:embed *.toml
var files embed.FS

// Catalog is one language's words.
type Catalog struct {
	language  string
	localizer *i18n.Localizer
	ids       map[string]bool
}

// catalogs are those of redress.Languages, read once; the first language
// is the fallback. matcher picks one of them for a browser.
var catalogs, matcher = load()

func load() (map[string]Catalog, language.Matcher) {
	bundle := i18n.NewBundle(language.Make(redress.Languages[0]))
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	loaded := map[string]Catalog{}
	var tags []language.Tag
	for _, lang := range redress.Languages {
		file, err := bundle.LoadMessageFileFS(files, lang+".toml")
		if err != nil {
			panic(fmt.Sprintf("locales: %v", err)) // built in, so the tests meet it first
		}
		ids := map[string]bool{}
		for _, m := range file.Messages {
			ids[m.ID] = true
		}
		loaded[lang] = Catalog{language: lang, localizer: i18n.NewLocalizer(bundle, lang), ids: ids}
		tags = append(tags, file.Tag)
	}
	return loaded, language.NewMatcher(tags)
}

// For is the catalog of a language of redress.Languages; any other
// language, "" (unknown) included, gets the fallback's.
func For(lang string) Catalog {
	if c, ok := catalogs[lang]; ok {
		return c
	}
	return catalogs[redress.Languages[0]]
}

// Choose is the language to speak to a person: chosen when a catalog
// speaks it (a saved preference, a ?lang=), else the best match for the
// browser's Accept-Language header, else the fallback.
func Choose(chosen, acceptLanguage string) string {
	if _, ok := catalogs[chosen]; ok {
		return chosen
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, _ := matcher.Match(tags...)
	return redress.Languages[i]
}

// Language is the catalog's language, as redress.Languages names it.
func (c Catalog) Language() string { return c.language }

// Tag is the language as HTML's lang attribute and the Content-Language
// header name it ("zh-CN").
func (c Catalog) Tag() string { return c.Text("lang") }

// Has is whether the catalog itself holds the message.
func (c Catalog) Has(id string) bool { return c.ids[id] }

// IDs are every message id of the catalog, sorted.
func (c Catalog) IDs() []string {
	ids := make([]string, 0, len(c.ids))
	for id := range c.ids {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Text is a message that names no fields.
func (c Catalog) Text(id string) string { return c.Format(id) }

// strictFields makes a message whose fields were not all given fail, so
// that the id shows instead of a sentence with a hole.
var strictFields = &template.TextParser{Option: "missingkey=error"}

// Format is a message with its fields filled, given as name and value
// pairs: Format("console.n_breached", "Count", 3). A message the catalog
// lacks comes from the fallback's; one that no catalog has, or whose
// fields are missing, is its id, so that the slip shows.
func (c Catalog) Format(id string, fields ...any) string {
	var data map[string]any
	if len(fields) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(fields); i += 2 {
			name, _ := fields[i].(string)
			data[name] = fields[i+1]
		}
	}
	msg, err := c.localizer.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, TemplateParser: strictFields})
	if err != nil && msg == "" {
		return id
	}
	return msg
}
