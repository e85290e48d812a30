package inbound

import (
	"strings"
)

// Reasons a mail opens nothing, each a Prometheus label value.
const (
	NoiseLoop          = "loop"           // our own mail come back: X-Loop is ours
	NoiseBounce        = "bounce"         // a delivery status report
	NoiseReport        = "report"         // another machine report: a read receipt, an abuse report
	NoiseNullSender    = "null_sender"    // MAIL FROM:<>, or From MAILER-DAEMON or postmaster
	NoiseAutoSubmitted = "auto_submitted" // Auto-Submitted other than "no" (RFC 3834)
	NoisePrecedence    = "precedence"     // Precedence: bulk, junk, list or auto_reply
	NoiseAutoreply     = "autoreply"      // X-Autoreply or X-Autorespond
	NoiseList          = "list"           // List-Id or List-Unsubscribe
)

// NoiseReasons lists every reason Noise returns, so metrics can register each.
var NoiseReasons = []string{
	NoiseLoop, NoiseBounce, NoiseReport, NoiseNullSender,
	NoiseAutoSubmitted, NoisePrecedence, NoiseAutoreply, NoiseList,
}

var bulkPrecedences = map[string]bool{"bulk": true, "junk": true, "list": true, "auto_reply": true}

// Noise tells whether m was sent by a machine rather than a person, and so
// must open nothing: "" for a person's mail, else one of NoiseReasons, the most
// specific that applies. envelopeFrom is the SMTP MAIL FROM; ourLoopID the
// X-Loop value Redress puts on its own mail ("" checks no loop).
//
// X-Auto-Response-Suppress is not a sign: Microsoft's clients set it on
// ordinary mail, asking others not to auto-reply.
func (m *Message) Noise(envelopeFrom string, ourLoopID string) string {
	h := &m.Header
	autoSubmitted := firstToken(h.Get("Auto-Submitted"))
	switch {
	case ourLoopID != "" && containsFold(h.Values("X-Loop"), ourLoopID):
		return NoiseLoop
	case m.Report == "delivery-status":
		return NoiseBounce
	case m.Report != "":
		return NoiseReport
	case isNullSender(envelopeFrom, m.From.Address):
		return NoiseNullSender
	case autoSubmitted != "" && autoSubmitted != "no":
		return NoiseAutoSubmitted
	case bulkPrecedences[firstToken(h.Get("Precedence"))]:
		return NoisePrecedence
	case h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "":
		return NoiseAutoreply
	case h.Has("List-Id") || h.Has("List-Unsubscribe"):
		return NoiseList
	}
	return ""
}

func isNullSender(envelopeFrom, from string) bool {
	if e := strings.TrimSpace(envelopeFrom); e == "" || e == "<>" {
		return true
	}
	local, _, _ := strings.Cut(from, "@")
	return strings.EqualFold(local, "mailer-daemon") || strings.EqualFold(local, "postmaster")
}

// firstToken is a field's value up to any parameters or comment, lower-cased:
// "auto-replied" of "Auto-Replied; owner-email=...".
func firstToken(field string) string {
	token, _, _ := strings.Cut(field, ";")
	token, _, _ = strings.Cut(token, "(")
	return strings.ToLower(strings.TrimSpace(token))
}

func containsFold(values []string, want string) bool {
	for _, v := range values {
		if strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(want)) {
			return true
		}
	}
	return false
}
