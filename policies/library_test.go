package policies_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/redress-dev/redress/policies"
)

func TestExamplesAreVersionedInBothLanguages(t *testing.T) {
	l, err := policies.Open("", true)
	if err != nil {
		t.Fatal(err)
	}
	versions := l.Versions()
	for _, name := range []string{"complaint-handling", "refund", "return", "warranty"} {
		en, ok1 := l.Get(name, "en")
		zh, ok2 := l.Get(name, "zh")
		if !ok1 || !ok2 || zh.Language != "zh" || en.Version != zh.Version || versions[name] != en.Version || len(en.Version) != 12 {
			t.Errorf("%s: en %+v, zh %+v, versions %v", name, en, zh, versions)
		}
		if en.Title == name || !strings.Contains(string(zh.HTML), "<li>") && !strings.Contains(string(zh.HTML), "<ol>") {
			t.Errorf("%s: title %q, html %.80s", name, en.Title, zh.HTML)
		}
	}
	if none, _ := policies.Open("", false); len(none.List("en")) != 0 {
		t.Errorf("production without a folder publishes %v", none.List("en"))
	}
}

func TestAVersionFollowsEveryLanguagesText(t *testing.T) {
	files := fstest.MapFS{
		"en/refund.md": {Data: []byte("# Refunds\n\n30 days.\n")},
		"zh/refund.md": {Data: []byte("# 退款\n\n30 天。\n")},
		"en/notes.txt": {Data: []byte("ignored")},
	}
	first, err := policies.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	files["zh/refund.md"] = &fstest.MapFile{Data: []byte("# 退款\n\n60 天。\n")}
	second, err := policies.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	if first.Versions()["refund"] == second.Versions()["refund"] || len(first.Versions()) != 1 {
		t.Errorf("versions %v then %v", first.Versions(), second.Versions())
	}
	if d, _ := second.Get("refund", "fr"); d.Language != "en" {
		t.Errorf("another language falls back to %q", d.Language)
	}
}

func TestLoadRefusesWhatCannotBePublished(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"no English": {"zh/refund.md": {Data: []byte("# 退款")}},
		"a bad name": {"en/Refund Policy.md": {Data: []byte("# Refunds")}},
	} {
		if _, err := policies.Load(files); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	l, err := policies.Load(fstest.MapFS{"en/x.md": {Data: []byte("# X\n\n<script>alert(1)</script>\n\n[a](javascript:alert(1))\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := l.Get("x", "en"); strings.Contains(string(d.HTML), "<script") || strings.Contains(string(d.HTML), "javascript:") {
		t.Errorf("raw HTML or a script link published: %s", d.HTML)
	}
}
