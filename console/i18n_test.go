package console

import "testing"

// Every word of every page exists in English and in Chinese, and no page
// redefines another's word.
func TestEveryWordInBothLanguages(t *testing.T) {
	seen := map[string]bool{}
	for _, part := range wordParts() {
		for lang, other := range map[string]string{"en": "zh", "zh": "en"} {
			for key := range part[lang] {
				if _, ok := part[other][key]; !ok {
					t.Errorf("%q is in %s but not in %s", key, lang, other)
				}
			}
		}
		for key := range part["en"] {
			if seen[key] {
				t.Errorf("%q is defined by two pages", key)
			}
			seen[key] = true
		}
	}
}
