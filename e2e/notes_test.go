package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// An internal note is for staff: the complaint shows it, with who wrote it
// and the key that sent it; the customer's JSON, page, e-mail and webhook
// never carry it.
func TestInternalNoteNeverReachesTheCustomer(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	c := file(t, s, newComplaint("crm-note"))
	path := "/v1/complaints/" + c.ID
	const secret = "Customer threatened to go to the press"
	expectStatus(t, "an empty note", s.Do("POST", path+"/notes", "dev-agent", map[string]string{"message": ""}), http.StatusUnprocessableEntity)
	expectStatus(t, "a note without a staff key", s.Do("POST", path+"/notes", "", map[string]string{"message": secret}), http.StatusUnauthorized)
	r := ok(t, "note", s.Do("POST", path+"/notes", "dev-agent", map[string]string{"message": secret, "agent": "ana"}), http.StatusOK)
	var got redress.Complaint
	r.JSON(t, &got)
	last := got.Timeline[len(got.Timeline)-1]
	if last.Kind != redress.KindNote || last.Detail != secret || last.Public || last.Actor != "ana" || last.By != "key:dev-agent" {
		t.Errorf("the note's line = %+v", last)
	}
	if got.Status != redress.StatusReceived || got.AcknowledgedAt != nil {
		t.Errorf("a note changed the complaint: %s, acknowledged %v", got.Status, got.AcknowledgedAt)
	}

	for _, view := range []string{"/v1/track/" + c.TrackingToken, "/track/" + c.TrackingToken} {
		if r := s.Do("GET", view, "", nil); r.Status != http.StatusOK || strings.Contains(string(r.Body), "press") {
			t.Errorf("GET %s = %d and shows the note: %s", view, r.Status, r.Body)
		}
	}
	events, err := s.DB.Events(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		data, _ := json.Marshal(e.Data)
		if strings.Contains(e.Type, "note") || strings.Contains(string(data), "press") {
			t.Errorf("an event for e-mail and webhooks carries the note: %+v", e)
		}
	}
}
