// Package policies publishes the documents that tell customers their
// rights before they complain (SPEC section 13): refund, return, warranty
// and complaint handling, in Markdown, one file per language, each
// versioned by its content's hash so that a complaint can record the
// versions in force when it was filed.
package policies

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark"

	"github.com/redress-dev/redress"
)

// Examples are the documents the dev stack publishes: a start for a
// support team's own, never served in production unless copied.
//
//go:embed examples
var examples embed.FS

// Document is one policy in one language.
type Document struct {
	Name     string        `json:"name"`
	Language string        `json:"language"`
	Title    string        `json:"title"`
	Version  string        `json:"version"` // of the policy, all its languages together
	HTML     template.HTML `json:"-"`
}

// Library is the published policies.
type Library struct {
	names []string
	docs  map[string]map[string]Document // name → language → document
}

// validName is a policy's file name: its address under /policies.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Open loads the documents of dir, laid out as <language>/<name>.md; an
// empty dir publishes the examples when examples is true, else nothing.
func Open(dir string, useExamples bool) (*Library, error) {
	switch {
	case dir != "":
		return Load(os.DirFS(dir))
	case useExamples:
		sub, err := fs.Sub(examples, "examples")
		if err != nil {
			return nil, err
		}
		return Load(sub)
	}
	return &Library{docs: map[string]map[string]Document{}}, nil
}

// Load reads a policies folder. A document in a language Redress does not
// write, a name that cannot be an address, or a document without an
// English version is an error that names the file.
func Load(fsys fs.FS) (*Library, error) {
	l := &Library{docs: map[string]map[string]Document{}}
	sources := map[string]map[string][]byte{}
	for _, lang := range redress.Languages {
		entries, err := fs.ReadDir(fsys, lang)
		if err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("policies: %w", err)
		}
		for _, e := range entries {
			name, ok := strings.CutSuffix(e.Name(), ".md")
			if e.IsDir() || !ok {
				continue
			}
			if !validName.MatchString(name) {
				return nil, fmt.Errorf("policies: %s/%s: a name is lower-case letters, digits and dashes", lang, e.Name())
			}
			src, err := fs.ReadFile(fsys, path.Join(lang, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("policies: %w", err)
			}
			if sources[name] == nil {
				sources[name] = map[string][]byte{}
			}
			sources[name][lang] = src
		}
	}
	for name, byLang := range sources {
		if byLang["en"] == nil {
			return nil, fmt.Errorf("policies: %s has no English version (en/%s.md), which other languages fall back to", name, name)
		}
		version := versionOf(byLang)
		l.docs[name] = map[string]Document{}
		for lang, src := range byLang {
			var html bytes.Buffer
			// goldmark leaves raw HTML and dangerous links out by default.
			if err := goldmark.Convert(src, &html); err != nil {
				return nil, fmt.Errorf("policies: %s/%s.md: %w", lang, name, err)
			}
			l.docs[name][lang] = Document{Name: name, Language: lang, Title: titleOf(src, name), Version: version,
				HTML: template.HTML(html.String())}
		}
		l.names = append(l.names, name)
	}
	slices.Sort(l.names)
	return l, nil
}

// versionOf is a policy's version: the hash of every language's text, so
// that a change in any of them is a new version.
func versionOf(byLang map[string][]byte) string {
	h := sha256.New()
	for _, lang := range redress.Languages {
		if src, ok := byLang[lang]; ok {
			fmt.Fprintf(h, "%s %d\n", lang, len(src))
			h.Write(src)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// titleOf is a document's first heading, or its name.
func titleOf(src []byte, name string) string {
	for line := range strings.Lines(string(src)) {
		if title, ok := strings.CutPrefix(strings.TrimSpace(line), "# "); ok {
			return strings.TrimSpace(title)
		}
	}
	return name
}

// List is every policy in a language, English where it has none.
func (l *Library) List(lang string) []Document {
	out := make([]Document, 0, len(l.names))
	for _, name := range l.names {
		d, _ := l.Get(name, lang)
		out = append(out, d)
	}
	return out
}

// Get is a policy in a language, English where it has none.
func (l *Library) Get(name, lang string) (Document, bool) {
	byLang, ok := l.docs[name]
	if !ok {
		return Document{}, false
	}
	if d, ok := byLang[lang]; ok {
		return d, true
	}
	return byLang["en"], true
}

// Versions are the versions in force, by name: what a complaint records.
func (l *Library) Versions() map[string]string {
	out := make(map[string]string, len(l.names))
	for _, name := range l.names {
		out[name] = l.docs[name]["en"].Version
	}
	return out
}
