package notify

import (
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales"
	"github.com/redress-dev/redress/locales/localestest"
)

// Every word the mail asks for is in every language's catalog.
func TestEmailAsksOnlyForKnownWords(t *testing.T) {
	var uses localestest.Uses
	uses.InSource(t, ".")
	uses.Check(t, nil)
}

// Every event the customer hears of is worded in every language, its
// fields filled in; the others are not mailed.
func TestEveryCustomerMailInEveryLanguage(t *testing.T) {
	coupon := redress.Offer{Kind: "coupon", Percent: 20, Call: true}
	survey := map[string]any{"survey_url": "http://redress.test/survey/s"}
	tests := []struct {
		event string
		data  map[string]any
		shows []string // in the body, whatever the language
		says  []string // the catalog's words in the body
	}{
		{event: redress.EventReceived},
		{event: redress.EventAcknowledged},
		{event: redress.EventUpdated, data: map[string]any{"message": "The courier has it.", "waiting_on_customer": true},
			shows: []string{"The courier has it."}, says: []string{"email.updated_waiting"}},
		{event: redress.EventResolved, data: map[string]any{"summary": "Refunded.", "reopen_until": "2026-11-30T10:00:00Z"},
			shows: []string{"Refunded.", "2026-11-30 10:00 UTC"}},
		{event: redress.EventReopened},
		{event: redress.EventClosed},
		{event: redress.EventSurveySent, data: survey, shows: []string{"http://redress.test/survey/s"}},
		{event: redress.EventSurveyReminded, data: survey, shows: []string{"http://redress.test/survey/s"}},
		{event: redress.EventWinbackOffered, data: map[string]any{"offer": coupon.Describe(), "terms": coupon}, shows: []string{"20%"}},
	}
	for _, lang := range redress.Languages {
		words := locales.For(lang)
		for _, tt := range tests {
			tell := wording(redress.Event{Type: tt.event, Data: tt.data})
			if tell == nil {
				t.Errorf("%s is not mailed", tt.event)
				continue
			}
			subject, body := tell(words)
			for _, text := range []string{subject, body} {
				if text == "" || strings.Contains(text, "email.") {
					t.Errorf("%s, %s: %q", lang, tt.event, text)
				}
			}
			for _, id := range tt.says {
				tt.shows = append(tt.shows, words.Text(id))
			}
			for _, want := range tt.shows {
				if !strings.Contains(body, want) {
					t.Errorf("%s, %s: the body lacks %q: %q", lang, tt.event, want, body)
				}
			}
		}
	}
	for _, staff := range []string{redress.EventAckWarning, redress.EventEscalated, redress.EventCustomerReplied,
		redress.EventSurveyAnswered, redress.EventWinbackFollowUp, redress.EventWinbackWonBack} {
		if wording(redress.Event{Type: staff}) != nil {
			t.Errorf("%s would be mailed to the customer", staff)
		}
	}
}

func TestOfferText(t *testing.T) {
	credit := redress.Offer{Kind: "credit", Amount: 50, Currency: "CNY", Call: true}
	tests := []struct {
		lang string
		data map[string]any
		want string
	}{
		{"zh", map[string]any{"offer": credit.Describe(), "terms": credit}, "50 CNY 抵用金，客户经理还会致电您"},
		{"en", map[string]any{"offer": credit.Describe(), "terms": credit}, "50 CNY credit, with a call from the account team"},
		// As the outbox gives the terms back: decoded JSON.
		{"zh", map[string]any{"offer": "15% coupon", "terms": map[string]any{"kind": "coupon", "percent": 15.0}}, "可减免 15% 的优惠券"},
		// A win-back offered before the terms came with the event.
		{"zh", map[string]any{"offer": "15% coupon"}, "15% coupon"},
	}
	for _, tt := range tests {
		if got := offerText(redress.Event{Type: redress.EventWinbackOffered, Data: tt.data}, locales.For(tt.lang)); got != tt.want {
			t.Errorf("%s %v: %q, want %q", tt.lang, tt.data, got, tt.want)
		}
	}
}
