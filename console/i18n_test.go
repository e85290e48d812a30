package console

import "testing"

// Every word of the console exists in English and in Chinese.
func TestEveryWordInBothLanguages(t *testing.T) {
	all := words()
	for lang, other := range map[string]string{"en": "zh", "zh": "en"} {
		for key := range all[lang] {
			if _, ok := all[other][key]; !ok {
				t.Errorf("%q is in %s but not in %s", key, lang, other)
			}
		}
	}
}
