package locales

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/redress-dev/redress"
)

// Every language of redress.Languages has a file, and only they do: a file
// of another language would never be read.
func TestAFilePerLanguage(t *testing.T) {
	names, err := fs.Glob(files, "*")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, lang := range redress.Languages {
		want = append(want, lang+".toml")
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
}

// fieldName finds the fields a message names: {{.Count}}.
var fieldName = regexp.MustCompile(`\{\{-?\s*\.(\w+)`)

// Every message is in every language's file, naming the same fields as in
// the fallback's: a translation that lost or renamed a field would show its
// id.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	fields := map[string]map[string][]string{} // language, id: the fields
	for _, lang := range redress.Languages {
		buf, err := fs.ReadFile(files, lang+".toml")
		if err != nil {
			t.Fatal(err)
		}
		file, err := i18n.ParseMessageFileBytes(buf, lang+".toml", map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			t.Fatal(err)
		}
		fields[lang] = map[string][]string{}
		for _, m := range file.Messages {
			var names []string
			for _, match := range fieldName.FindAllStringSubmatch(m.Other, -1) {
				names = append(names, match[1])
			}
			slices.Sort(names)
			fields[lang][m.ID] = slices.Compact(names)
		}
	}
	fallback := redress.Languages[0]
	for _, lang := range redress.Languages[1:] {
		for id, want := range fields[fallback] {
			got, ok := fields[lang][id]
			switch {
			case !ok:
				t.Errorf("%s.toml lacks %q", lang, id)
			case !slices.Equal(got, want):
				t.Errorf("%s.toml: %q names the fields %v, %s.toml %v", lang, id, got, fallback, want)
			}
		}
		for id := range fields[lang] {
			if _, ok := fields[fallback][id]; !ok {
				t.Errorf("%s.toml has %q, which %s.toml lacks", lang, id, fallback)
			}
		}
	}
	for _, lang := range redress.Languages {
		if !For(lang).Has("lang") {
			t.Errorf("%s.toml does not say its tag (lang)", lang)
		}
	}
}

func TestChoose(t *testing.T) {
	tests := []struct{ chosen, acceptLanguage, want string }{
		{"", "", "en"},
		{"", "zh-CN,zh;q=0.9", "zh"},
		{"", "en-US,en;q=0.9,zh;q=0.5", "en"},
		{"", "fr-FR,zh-TW;q=0.8", "zh"},
		{"", "de", "en"},
		{"", "garbage;;;", "en"},
		{"zh", "en-US", "zh"},
		{"en", "zh-CN", "en"},
		{"fr", "zh-CN", "zh"}, // a choice no catalog speaks counts for nothing
	}
	for _, tt := range tests {
		if got := Choose(tt.chosen, tt.acceptLanguage); got != tt.want {
			t.Errorf("Choose(%q, %q) = %s, want %s", tt.chosen, tt.acceptLanguage, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	zh := For("zh")
	tests := []struct{ got, want string }{
		{zh.Format("console.n_breached", "Count", 3), "3 件超时"},
		{For("en").Format("console.analytics", "From", "2026-01-01", "To", "2026-01-31"), "Complaints filed from 2026-01-01 to 2026-01-31"},
		{zh.Text("pages.history"), "处理记录"},
		{zh.Tag(), "zh-CN"},
		{For("").Tag(), "en"},
		{For("fr").Text("pages.history"), "History"},
		{zh.Text("console.n_breached"), "console.n_breached"},                // its field is missing
		{zh.Format("console.n_breached", "Number", 3), "console.n_breached"}, // and misnamed
		{zh.Text("pages.no_such_word"), "pages.no_such_word"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
