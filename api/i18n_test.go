package api

import "testing"

func TestMessagesComplete(t *testing.T) {
	for lang, words := range messages {
		for other, otherWords := range messages {
			for key := range otherWords {
				if words[key] == "" {
					t.Errorf("%s has %q but %s does not", other, key, lang)
				}
			}
		}
	}
}

func TestPageLanguage(t *testing.T) {
	tests := map[string]string{"": "en", "zh-CN,zh;q=0.9": "zh", "en-US,en;q=0.9,zh;q=0.5": "en",
		"fr-FR,zh-TW;q=0.8": "zh", "de": "en", "garbage;;;": "en"}
	for header, want := range tests {
		if got := pageLanguage(header); got != want {
			t.Errorf("pageLanguage(%q) = %s, want %s", header, got, want)
		}
	}
}
