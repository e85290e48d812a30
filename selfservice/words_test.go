package selfservice

import (
	"strconv"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales/localestest"
	"github.com/redress-dev/redress/postgres"
)

// Every word the form and its handlers ask for is in every language's
// catalog.
func TestFormAsksOnlyForKnownWords(t *testing.T) {
	s := New(Options{Timezone: "UTC"})
	var uses localestest.Uses
	for _, lang := range redress.Languages {
		uses.InTemplates(t, s.pages[lang], "t", "tf")
	}
	uses.InSource(t, ".")
	var categories []string
	for _, c := range redress.Categories {
		categories = append(categories, string(c))
	}
	var statuses []string
	for _, st := range redress.Statuses {
		statuses = append(statuses, string(st))
	}
	uses.Check(t, map[string][]string{"console.category_": categories, "pages.status_": statuses, "portal.points_": postgres.PointsKinds})
}

// A challenge is met by the proof of work or by the sum, and by nothing
// forged or stale.
func TestChallenge(t *testing.T) {
	s := New(Options{Timezone: "UTC", Secret: "test-secret"})
	now := s.nowFunc()
	c := s.newChallenge(now)
	pow := ""
	for n := 0; pow == ""; n++ {
		if err := s.checkChallenge(c.Token, itoa(n), "", now); err == nil {
			pow = itoa(n)
		}
	}
	for _, tt := range []struct {
		name, token, pow, sum string
		at                    int // hours after issue
		ok                    bool
	}{
		{"the proof of work", c.Token, pow, "", 0, true},
		{"the sum", c.Token, "", itoa(c.A + c.B), 1, true},
		{"a wrong sum", c.Token, "", itoa(c.A + c.B + 1), 0, false},
		{"nothing", c.Token, "", "", 0, false},
		{"stale", c.Token, pow, "", 3, false},
		{"forged", c.Token[:len(c.Token)-1] + "g", pow, itoa(c.A + c.B), 0, false},
		{"another secret's", New(Options{Timezone: "UTC", Secret: "other"}).newChallenge(now).Token, "", itoa(c.A + c.B), 0, false},
	} {
		err := s.checkChallenge(tt.token, tt.pow, tt.sum, now.Add(time.Duration(tt.at)*time.Hour))
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
