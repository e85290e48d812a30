package inbound

import "unicode"

// Language tells which of Redress's languages a customer wrote in: "zh" when
// Han characters hold a meaningful share of text, else "en". A Han character
// carries about a word, so each weighs as three Latin letters: a Chinese mail
// naming an English product stays "zh", an English mail signed with a Chinese
// name stays "en". Pass the customer's own words (Message.Reply), not a
// quoted history of what Redress wrote.
func Language(text string) string {
	var han, latin int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	if han > 0 && 3*han >= latin {
		return "zh"
	}
	return "en"
}
