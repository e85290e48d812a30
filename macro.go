package redress

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"
)

// Macro is a canned reply: a text per language that staff send with the
// complaint's fields filled in ({{customer.name}}, {{tracking_url}}, ...).
type Macro struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Texts     map[string]string `json:"texts"` // by language (Languages)
	UpdatedBy string            `json:"updated_by"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// MacroFields are the fields a macro may name; any other is refused when
// the macro is saved, never when it is sent.
var MacroFields = []string{"customer.name", "complaint.id", "complaint.subject", "complaint.order_ref",
	"tracking_url", "ack_due_at", "resolve_due_at", "agent.name"}

// placeholder is one {{field}} of a macro's text.
var placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// CheckMacro refuses a macro without a name or a text, with a language
// not in Languages, a field not in MacroFields, or braces that are not a
// field.
func CheckMacro(ch *Checker, m Macro) {
	ch.Text("name", m.Name, true, 100)
	if len(m.Texts) == 0 {
		ch.Fail("texts", "needs a text in at least one of: %s", strings.Join(Languages, ", "))
	}
	for _, lang := range slices.Sorted(maps.Keys(m.Texts)) {
		field := "texts." + lang
		if !slices.Contains(Languages, lang) {
			ch.Fail(field, "is not a language Redress writes in (%s)", strings.Join(Languages, ", "))
			continue
		}
		ch.Text(field, m.Texts[lang], true, MaxMessage)
		if _, err := parseMacro(m.Texts[lang]); err != nil {
			ch.Fail(field, "%v", err)
		}
	}
}

// parseMacro turns a macro's text into a template that can only fill the
// allowed fields: each {{field}} becomes a lookup of that field, and any
// other use of braces is refused.
func parseMacro(text string) (*template.Template, error) {
	var unknown []string
	source := placeholder.ReplaceAllStringFunc(text, func(p string) string {
		name := placeholder.FindStringSubmatch(p)[1]
		if !slices.Contains(MacroFields, name) {
			unknown = append(unknown, "{{"+name+"}}")
		}
		return fmt.Sprintf("{{index . %q}}", name)
	})
	if len(unknown) > 0 {
		return nil, fmt.Errorf("names %s; a macro may name %s", strings.Join(unknown, ", "), fieldList())
	}
	if rest := placeholder.ReplaceAllString(text, ""); strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
		return nil, fmt.Errorf("has braces that name no field; a macro may name %s", fieldList())
	}
	return template.New("macro").Option("missingkey=error").Parse(source)
}

func fieldList() string {
	names := make([]string, len(MacroFields))
	for i, f := range MacroFields {
		names[i] = "{{" + f + "}}"
	}
	return strings.Join(names, ", ")
}

// Text is the macro's text for a language: that language's, else
// English, else any.
func (m Macro) Text(lang string) (string, string) {
	for _, l := range append([]string{lang, "en"}, Languages...) {
		if t, ok := m.Texts[l]; ok {
			return t, l
		}
	}
	return "", ""
}

// Render fills the macro's text for the customer's language with the
// complaint's fields; it answers with the text and its language.
func (m Macro) Render(lang string, fields map[string]string) (string, string, error) {
	text, chosen := m.Text(lang)
	t, err := parseMacro(text)
	if err != nil {
		return "", "", err
	}
	var out strings.Builder
	if err := t.Execute(&out, fields); err != nil {
		return "", "", err
	}
	return out.String(), chosen, nil
}

// FillMacroFields are a complaint's values of MacroFields; due times are
// in zone, as a person reads them, and "" when there is none.
func FillMacroFields(c *Complaint, cu *Customer, trackingURL, agent string, zone *time.Location) map[string]string {
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(zone).Format("2006-01-02 15:04 MST")
	}
	return map[string]string{"customer.name": cu.Name, "complaint.id": c.ID, "complaint.subject": c.Subject,
		"complaint.order_ref": c.OrderRef, "tracking_url": trackingURL, "ack_due_at": when(c.AckDueAt),
		"resolve_due_at": when(c.ResolveDueAt), "agent.name": agent}
}
