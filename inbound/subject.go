package inbound

import (
	"regexp"
	"strings"
)

// replyPrefix is one "Re:"-like prefix of a subject, in English or Chinese
// (simplified and traditional), with either colon and an optional count
// ("Re[2]:").
var replyPrefix = regexp.MustCompile(`^(?i)\s*(?:re|fwd?|回复|答复|转发|回覆|答覆|轉寄|轉發)\s*(?:\[\d+\])?\s*[:：]\s*`)

// CleanSubject drops the reply and forward prefixes mail clients stack on a
// subject, leaving what the customer wrote.
func CleanSubject(subject string) string {
	for {
		prefix := replyPrefix.FindStringIndex(subject)
		if prefix == nil {
			return strings.TrimSpace(subject)
		}
		subject = subject[prefix[1]:]
	}
}
