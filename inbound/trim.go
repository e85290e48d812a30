package inbound

import (
	"regexp"
	"strings"
)

// The lines where a mail client starts what the customer did not write: the
// quoted history or a signature, in English and Chinese clients.
var (
	// "-----Original Message-----" (Outlook), "-----原始邮件-----" (Chinese
	// Outlook), "------------------ 原始邮件 ------------------" (QQ Mail,
	// Foxmail), "------------------ Original ------------------".
	originalMessage = regexp.MustCompile(`(?i)^-{2,} ?(original message|original|原始邮件|邮件原件|原始郵件) ?-{2,}$`)

	// "Sent from my iPhone" and its kin, a line of their own.
	deviceSignature = regexp.MustCompile(`(?i)^(sent from my \S.*|sent from (outlook|mail for windows|yahoo mail)\b.*|get outlook for \S.*|发自我的.*|从我的.*发送|发自 ?网易邮箱.*)$`)

	// An attribution line: "On Tue, 1 Dec 2026 at 10:00, Redress <r@x> wrote:"
	// (Gmail, Apple Mail, Thunderbird), "在 2026年12月1日周二 10:00，张三 <a@b.c>
	// 写道：" (Gmail in Chinese, 163), "张三 <a@b.c> 于2026年12月1日周二 10:00写道：".
	attributionEnd   = regexp.MustCompile(`(?i)(\bwrote:|[写寫]道[:：])$`)
	attributionStart = regexp.MustCompile(`^(On |在|於)`)

	// The header block Outlook and Foxmail quote: From, Sent (or Date), To,
	// Subject, in English or Chinese, bold in plain text turned from HTML.
	quotedFrom    = regexp.MustCompile(`(?i)^\*?(from|发件人|寄件者)\*? ?[:：]`)
	quotedSent    = regexp.MustCompile(`(?i)^\*?(sent|date|发送时间|时间|日期|寄件日期)\*? ?[:：]`)
	quotedSubject = regexp.MustCompile(`(?i)^\*?(subject|主题|主旨)\*? ?[:：]`)
)

// quotedHeaderLines is how far below From the rest of a quoted header block
// may be.
const quotedHeaderLines = 6

// maxAttribution bounds an attribution line, so a long paragraph of the
// customer's that happens to end in "wrote:" is not taken for one.
const maxAttribution = 400

// TrimReply keeps the customer's own words of a mail: everything above the
// first line where quoted history or a signature starts (a "> " line, an
// attribution, an original-message rule, a quoted header block, "-- ", a
// device signature), without the separator lines and blank lines just above
// it. If nothing would be left, it returns the whole text trimmed: a
// customer's words are never lost entirely.
//
// Whether a line starts the history depends only on it and the lines below,
// and only more lines can make it so; hence the kept lines hold no such line,
// and TrimReply(TrimReply(x)) == TrimReply(x).
func TrimReply(text string) string {
	lines := strings.Split(text, "\n")
	cut := firstHistoryLine(lines)
	if cut < 0 {
		return strings.TrimSpace(text)
	}
	kept := lines[:cut]
	for len(kept) > 0 && isSeparator(normalizedLine(kept[len(kept)-1])) {
		kept = kept[:len(kept)-1]
	}
	reply := strings.TrimSpace(strings.Join(kept, "\n"))
	if reply == "" {
		return strings.TrimSpace(text)
	}
	return reply
}

func firstHistoryLine(lines []string) int {
	for i := range lines {
		if startsHistory(lines, i) {
			return i
		}
	}
	return -1
}

func startsHistory(lines []string, i int) bool {
	line := normalizedLine(lines[i])
	switch {
	case line == "":
		return false
	case strings.HasPrefix(line, ">"),
		line == "--", // "-- ", the signature delimiter, its space often lost
		originalMessage.MatchString(line),
		deviceSignature.MatchString(line) && len(line) <= 100,
		isAttribution(line),
		quotedFrom.MatchString(line) && quotedHeaderBelow(lines[i+1:]):
		return true
	}
	// An attribution wrapped over two lines, as Gmail wraps a long one.
	if i+1 < len(lines) && (attributionStart.MatchString(line) || strings.Contains(line, "@")) {
		return isAttribution(line + " " + normalizedLine(lines[i+1]))
	}
	return false
}

// isAttribution tells an attribution line from a customer's sentence ending in
// "wrote:": it starts with "On"/"在" and names a date, or names an address.
func isAttribution(line string) bool {
	if len(line) > maxAttribution || !attributionEnd.MatchString(line) {
		return false
	}
	return strings.Contains(line, "@") || attributionStart.MatchString(line) && strings.ContainsAny(line, "0123456789")
}

func quotedHeaderBelow(below []string) bool {
	below = below[:min(len(below), quotedHeaderLines)]
	var sent, subject bool
	for _, l := range below {
		l = normalizedLine(l)
		sent = sent || quotedSent.MatchString(l)
		subject = subject || quotedSubject.MatchString(l)
	}
	return sent && subject
}

// isSeparator is a blank line or a rule ("____", "-----") that mail clients
// put above a quoted header.
func isSeparator(line string) bool {
	if line == "" {
		return true
	}
	return len(line) >= 4 && strings.Trim(line, line[:1]) == "" && strings.Contains("_-=*", line[:1])
}

// normalizedLine is a line as the markers are matched: trimmed, each run of
// white space (non-breaking too) one space.
func normalizedLine(line string) string {
	return strings.Join(strings.Fields(line), " ")
}
