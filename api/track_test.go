package api

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales"
)

// Every kind of timeline line reaches the customer, in JSON and on the
// page in every language, exactly when its kind is public, and its detail
// only when it is written for the customer (a message, their own words, the
// resolution): no actor, no internal detail and no staff wording ever does
// (who acknowledged, the priority given at intake).
func TestCustomerViewsShowOnlyPublicLines(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c := &redress.Complaint{ID: "c1", Subject: "Kettle", CreatedAt: at,
		State: redress.State{Status: redress.StatusInProgress,
			Resolution: &redress.Resolution{Type: "refund", Summary: "Refunded", RootCause: "staff_behavior"}}}
	var kinds []string
	for kind := range redress.TimelineKinds {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		c.Timeline = append(c.Timeline, redress.TimelineEntry{At: at, Actor: "actor-" + kind, Kind: kind,
			Public: redress.PublicKind(kind), Detail: "detail-" + kind + "|"})
	}
	// A line stored as public under a kind that is internal (an older row),
	// and a public escalation line in the old format that held the reason.
	c.Timeline = append(c.Timeline, redress.TimelineEntry{At: at, Kind: redress.KindEscalationReason, Public: true,
		Detail: "detail-stored-public"}, redress.TimelineEntry{At: at, Kind: redress.KindEscalated, Public: true,
		Detail: "Escalated to level 2 (managers notified): detail-stored-public"})

	view := customerView(c)
	body, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	js := string(body)
	for _, kind := range kinds {
		if shown := strings.Contains(js, `"kind":"`+kind+`"`); shown != redress.PublicKind(kind) {
			t.Errorf("JSON: a %s line is shown=%v; public=%v", kind, shown, redress.PublicKind(kind))
		}
		worded := redress.PublicKind(kind) && redress.CustomerReadsDetail(kind)
		if shown := strings.Contains(js, `"detail":"detail-`+kind+`|"`); shown != worded {
			t.Errorf("JSON: a %s line's detail is shown=%v; want %v", kind, shown, worded)
		}
	}
	for _, secret := range []string{"actor-", "detail-stored-public", "staff_behavior"} {
		if strings.Contains(js, secret) {
			t.Errorf("JSON shows %q: %s", secret, js)
		}
	}

	for lang, pages := range newPageTemplates("UTC") {
		var page bytes.Buffer
		if err := pages.ExecuteTemplate(&page, "track", pageData{Complaint: view, Base: "/track/x"}); err != nil {
			t.Fatal(err)
		}
		html := page.String()
		for _, kind := range kinds {
			label := locales.For(lang).Text("pages.kind_" + kind)
			if redress.PublicKind(kind) && !strings.Contains(html, label) {
				t.Errorf("%s page: the public %s line is not shown (label %q)", lang, kind, label)
			}
			if !redress.CustomerReadsDetail(kind) && strings.Contains(html, "detail-"+kind+"|") {
				t.Errorf("%s page shows the detail of the %s line, which is not the customer's to read", lang, kind)
			}
		}
		for _, secret := range []string{"actor-", "detail-stored-public", "staff_behavior"} {
			if strings.Contains(html, secret) {
				t.Errorf("%s page shows %q", lang, secret)
			}
		}
	}
}
