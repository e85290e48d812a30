package notify

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/tokens"
)

// Receivers get the customers' links, derived at delivery from what the
// event names; the log shows none unless asked to (the dev stack).
func TestLinksAreAddedAtDeliveryAndKeptOutOfTheLog(t *testing.T) {
	signer := tokens.NewSigner("token-secret-0123456789", "https://redress.example")
	for _, tt := range []struct {
		event redress.Event
		field string
		want  string
	}{
		{redress.Event{Type: redress.EventReceived, ComplaintID: "c1"}, trackingURL, signer.TrackingURL(signer.Tracking("c1"))},
		{redress.Event{Type: redress.EventSurveySent, ComplaintID: "c1", Data: map[string]any{"survey_round": float64(2)}},
			surveyURL, signer.SurveyURL(signer.Survey("c1", 2))},
		{redress.Event{Type: redress.EventSurveyReminded, ComplaintID: "c1", Data: map[string]any{"survey_round": 1}},
			surveyURL, signer.SurveyURL(signer.Survey("c1", 1))},
		{redress.Event{Type: redress.EventPortalSignIn, Data: map[string]any{"link": "L1", "language": "zh"}},
			signInURL, signer.PortalURL(signer.Portal("L1"), "zh")},
	} {
		dressed := withLinks(tt.event, signer)
		if dressed.Data[tt.field] != tt.want || tt.event.Data[tt.field] != nil {
			t.Errorf("%s: %s = %v; want %s, and the stored event untouched", tt.event.Type, tt.field, dressed.Data[tt.field], tt.want)
		}
		for _, show := range []bool{false, true} {
			var logged bytes.Buffer
			sender := LogSender{Logger: slog.New(slog.NewTextHandler(&logged, nil)), ShowLinks: show}
			if err := sender.Send(context.Background(), dressed); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(logged.String(), "https://redress.example/"); got != show {
				t.Errorf("%s: the log shows a link: %v; want %v\n%s", tt.event.Type, got, show, logged.String())
			}
		}
	}
	if got := withLinks(redress.Event{Type: redress.EventAcknowledged, ComplaintID: "c1"}, signer); got.Data != nil {
		t.Errorf("an acknowledgement got links: %+v", got.Data)
	}
}
