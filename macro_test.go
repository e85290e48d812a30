package redress

import (
	"strings"
	"testing"
	"time"
)

// A macro names only the allowed fields, refused when saved: an unknown
// field, a template action, stray braces and a language Redress does not
// write in. Sent, it fills the complaint's fields in the customer's
// language, else English, and due times in the policy's zone.
func TestMacros(t *testing.T) {
	for _, bad := range []struct {
		name  string
		macro Macro
		field string
	}{
		{"an unknown field", Macro{Name: "x", Texts: map[string]string{"en": "Hi {{customer.password}}"}}, "texts.en"},
		{"a template action", Macro{Name: "x", Texts: map[string]string{"en": `{{ printf "%s" "x" }}`}}, "texts.en"},
		{"a range", Macro{Name: "x", Texts: map[string]string{"zh": "{{range .}}{{end}}"}}, "texts.zh"},
		{"stray braces", Macro{Name: "x", Texts: map[string]string{"en": "Hello {{customer.name}"}}, "texts.en"},
		{"an unknown language", Macro{Name: "x", Texts: map[string]string{"fr": "Bonjour"}}, "texts.fr"},
		{"no text", Macro{Name: "x"}, "texts"},
		{"no name", Macro{Texts: map[string]string{"en": "Hi"}}, "name"},
	} {
		ch := &Checker{}
		CheckMacro(ch, bad.macro)
		if err := ch.Err(); err == nil || !strings.Contains(err.Error(), bad.field) {
			t.Errorf("%s: %v; want a refusal naming %s", bad.name, err, bad.field)
		}
	}

	m := Macro{Name: "Photo please", Texts: map[string]string{
		"en": "Dear {{customer.name}}, about {{ complaint.subject }}: please send a photo by {{resolve_due_at}}. Follow it at {{tracking_url}}. {{agent.name}}",
		"zh": "{{customer.name}}您好：关于「{{complaint.subject}}」，请在 {{resolve_due_at}} 前发一张照片。{{tracking_url}}"}}
	ch := &Checker{}
	if CheckMacro(ch, m); ch.Err() != nil {
		t.Fatal(ch.Err())
	}
	due := time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)
	shanghai, _ := LoadZone("Asia/Shanghai")
	fields := FillMacroFields(&Complaint{ID: "c1", Subject: "Kettle leaks", State: State{ResolveDueAt: &due}},
		&Customer{Name: "Wang Fang"}, "https://redress.example/track/abc", "Ana", shanghai)
	text, lang, err := m.Render("zh", fields)
	if err != nil || lang != "zh" || text != "Wang Fang您好：关于「Kettle leaks」，请在 2026-12-08 10:00 CST 前发一张照片。https://redress.example/track/abc" {
		t.Errorf("in Chinese: %q (%s), %v", text, lang, err)
	}
	delete(m.Texts, "zh")
	if text, lang, _ := m.Render("zh", fields); lang != "en" || !strings.HasPrefix(text, "Dear Wang Fang, about Kettle leaks") || !strings.HasSuffix(text, " Ana") {
		t.Errorf("falling back to English: %q (%s)", text, lang)
	}
}
