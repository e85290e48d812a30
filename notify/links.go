package notify

import (
	"maps"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/tokens"
)

// The links events carry to their receivers. The outbox never holds them:
// a link is a customer's credential, which anyone with the database, a
// backup or the log could otherwise use. The dispatcher derives each from
// what the event names (the complaint, its survey round, the portal link's
// id) with the token secret, just before it sends the event.
const (
	trackingURL = "tracking_url"
	surveyURL   = "survey_url"
	signInURL   = "sign_in_url"
)

// linkFields are the data fields that hold a customer's link.
var linkFields = []string{trackingURL, surveyURL, signInURL}

// withLinks is the event as its receivers see it: with the tracking link
// on a new complaint, the survey link on a survey's mail and reminder, and
// the sign-in link on a portal sign-in.
func withLinks(e redress.Event, signer *tokens.Signer) redress.Event {
	if signer == nil {
		return e
	}
	data := maps.Clone(e.Data)
	if data == nil {
		data = map[string]any{}
	}
	switch e.Type {
	case redress.EventReceived:
		data[trackingURL] = signer.TrackingURL(signer.Tracking(e.ComplaintID))
	case redress.EventSurveySent, redress.EventSurveyReminded:
		if round := number(data["survey_round"]); round > 0 {
			data[surveyURL] = signer.SurveyURL(signer.Survey(e.ComplaintID, round))
		}
	case redress.EventPortalSignIn:
		link, _ := data["link"].(string)
		lang, _ := data["language"].(string)
		if link != "" {
			data[signInURL] = signer.PortalURL(signer.Portal(link), lang)
		}
	default:
		return e
	}
	e.Data = data
	return e
}

// withoutLinks is the event with no customer's link, and no coupon code,
// which is a credential as much, for the log.
func withoutLinks(e redress.Event) redress.Event {
	data := maps.Clone(e.Data)
	for _, f := range linkFields {
		delete(data, f)
	}
	delete(data, "coupon")
	e.Data = data
	return e
}

// number is a whole number of an event's data, as stored (JSON) or as made.
func number(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}
