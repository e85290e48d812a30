package inbound_test

import (
	"slices"
	"testing"

	"github.com/redress-dev/redress/inbound"
)

const ourLoop = "complaints@redress.example"

func TestNoise(t *testing.T) {
	const person = "jane@example.com"
	tests := []struct {
		name, header, envelope, want string
	}{
		{"a person's mail", "From: jane@example.com\r\n", person, ""},
		{"Outlook's X-Auto-Response-Suppress is ordinary mail", "From: jane@example.com\r\nX-Auto-Response-Suppress: All\r\n", person, ""},
		{"X-Auto-Response-Suppress: OOF too", "From: jane@example.com\r\nX-Auto-Response-Suppress: DR, OOF, AutoReply\r\n", person, ""},
		{"empty envelope sender", "From: jane@example.com\r\n", "", inbound.NoiseNullSender},
		{"<> envelope sender", "From: jane@example.com\r\n", "<>", inbound.NoiseNullSender},
		{"From MAILER-DAEMON", "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n", "bounces@mx.example.com", inbound.NoiseNullSender},
		{"From postmaster", "From: Postmaster@example.com\r\n", person, inbound.NoiseNullSender},
		{"Auto-Submitted: auto-replied", "From: jane@example.com\r\nAuto-Submitted: auto-replied\r\n", person, inbound.NoiseAutoSubmitted},
		{"Auto-Submitted with parameters", "From: jane@example.com\r\nAuto-Submitted: Auto-Generated; owner-email=\"x@y\"\r\n", person, inbound.NoiseAutoSubmitted},
		{"Auto-Submitted: no", "From: jane@example.com\r\nAuto-Submitted: No (a person wrote it)\r\n", person, ""},
		{"Precedence: bulk", "From: jane@example.com\r\nPrecedence: bulk\r\n", person, inbound.NoisePrecedence},
		{"Precedence: junk", "From: jane@example.com\r\nPrecedence: Junk\r\n", person, inbound.NoisePrecedence},
		{"Precedence: list", "From: jane@example.com\r\nPrecedence: list\r\n", person, inbound.NoisePrecedence},
		{"Precedence: auto_reply", "From: jane@example.com\r\nPrecedence: auto_reply\r\n", person, inbound.NoisePrecedence},
		{"Precedence: first-class", "From: jane@example.com\r\nPrecedence: first-class\r\n", person, ""},
		{"X-Autoreply", "From: jane@example.com\r\nX-Autoreply: yes\r\n", person, inbound.NoiseAutoreply},
		{"X-Autorespond", "From: jane@example.com\r\nX-Autorespond: vacation\r\n", person, inbound.NoiseAutoreply},
		{"List-Id", "From: jane@example.com\r\nList-Id: Deals <deals.shop.example>\r\n", person, inbound.NoiseList},
		{"List-Unsubscribe", "From: jane@example.com\r\nList-Unsubscribe: <mailto:unsub@shop.example>\r\n", person, inbound.NoiseList},
		{"our X-Loop", "From: jane@example.com\r\nX-Loop: Complaints@Redress.Example\r\n", person, inbound.NoiseLoop},
		{"our X-Loop among others", "From: jane@example.com\r\nX-Loop: helpdesk@other.example\r\nX-Loop: complaints@redress.example\r\n", person, inbound.NoiseLoop},
		{"another X-Loop", "From: jane@example.com\r\nX-Loop: helpdesk@other.example\r\n", person, ""},
		{"our own mail come back names the loop, not its Auto-Submitted",
			"From: complaints@redress.example\r\nAuto-Submitted: auto-replied\r\nX-Loop: complaints@redress.example\r\n", person, inbound.NoiseLoop},
		{"delivery-status part", "From: jane@example.com\r\nContent-Type: message/delivery-status\r\n", person, inbound.NoiseBounce},
		{"read receipt", "From: jane@example.com\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary=x\r\n", person, inbound.NoiseReport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseString(t, tt.header+"Subject: s\r\n\r\nbody\r\n")
			got := m.Noise(tt.envelope, ourLoop)
			if got != tt.want {
				t.Errorf("Noise = %q, want %q", got, tt.want)
			}
			if got != "" && !slices.Contains(inbound.NoiseReasons, got) {
				t.Errorf("%q is not in NoiseReasons", got)
			}
		})
	}
}

func TestNoiseBounce(t *testing.T) {
	m := parseFile(t, "bounce.eml", nil)
	if got := m.Noise("", ourLoop); got != inbound.NoiseBounce {
		t.Errorf("Noise = %q, want %q", got, inbound.NoiseBounce)
	}
}

func TestNoiseWithoutLoopID(t *testing.T) {
	m := parseString(t, "From: jane@example.com\r\nX-Loop: \r\n\r\nbody")
	if got := m.Noise("jane@example.com", ""); got != "" {
		t.Errorf("Noise = %q with no loop id of ours", got)
	}
}

func TestNoiseReasonsAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range inbound.NoiseReasons {
		if r == "" || seen[r] {
			t.Errorf("NoiseReasons has %q twice or empty", r)
		}
		seen[r] = true
	}
}
