package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

func complaintOf(externalID, subject, description, orderRef string) map[string]any {
	return map[string]any{"customer": map[string]any{"external_id": externalID, "name": "Chen Jie", "email": externalID + "@example.cn"},
		"channel": "web", "subject": subject, "description": description, "order_ref": orderRef}
}

// A complaint like one its customer already has open is flagged, never
// merged: in its JSON and its received event. An agent merges it: the kept
// complaint takes its words, its notes (internal) and its files, with its
// own clocks unchanged; the duplicate ends as merged with no survey, its
// workflow done, its page and mail pointing to the kept complaint; it
// counts once in the analytics; and merges that cannot be are refused with
// what stands in the way.
func TestDuplicateComplaintsAreFlaggedAndMerged(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy, Mail: true})
	kept := file(t, s, complaintOf("crm-dup", "Kettle stopped heating",
		"The kettle I bought last week stopped heating. The light comes on but the water stays cold.", ""))
	dup := file(t, s, complaintOf("crm-dup", "My kettle does not heat",
		"I bought a kettle last week and it stopped heating: the light comes on but the water stays cold.", ""))
	if kept.PossibleDuplicateOf != "" || dup.PossibleDuplicateOf != kept.ID {
		t.Fatalf("flags: kept %q, duplicate %q; want the duplicate to name %s", kept.PossibleDuplicateOf, dup.PossibleDuplicateOf, kept.ID)
	}
	for _, other := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"another customer's", complaintOf("crm-dup-neighbour", "Kettle stopped heating",
			"The kettle I bought last week stopped heating. The light comes on but the water stays cold.", ""), ""},
		{"another problem", complaintOf("crm-dup", "Rude staff", "The staff at the store shouted at me.", ""), ""},
		{"the same order, other words", complaintOf("crm-dup", "Where is the rest of order 9", "Half of it came.", "ORD-9"), ""},
	} {
		if got := file(t, s, other.body); got.PossibleDuplicateOf != other.want {
			t.Errorf("%s complaint is flagged %q", other.name, got.PossibleDuplicateOf)
		}
	}
	order := file(t, s, complaintOf("crm-dup", "Order 9 is late", "Nothing came yet.", "ORD-9"))
	if order.PossibleDuplicateOf == "" {
		t.Error("a complaint about the same order is not flagged")
	}
	events, err := s.DB.Events(context.Background(), dup.ID)
	if err != nil || len(events) == 0 || events[0].Type != redress.EventReceived || events[0].Data["possible_duplicate_of"] != kept.ID {
		t.Errorf("the duplicate's received event: %+v, %v", events, err)
	}

	// The duplicate lives a little before anyone sees the flag.
	ok(t, "the customer's reply", s.Do("POST", "/v1/track/"+dup.TrackingToken+"/reply", "", map[string]string{"message": "It is the KT-200 model"}), 200)
	ok(t, "a note", s.Do("POST", "/v1/complaints/"+dup.ID+"/notes", "dev-agent", map[string]string{"message": "Asked the warehouse about the batch"}), 200)
	ok(t, "a photo", upload(s, dup.ID, "dev-intake", "kettle.png", "image/png", redresstest.Photo(20, 20)), http.StatusCreated)
	before := s.Complaint(kept.ID)

	merged := ok(t, "merge", s.Do("POST", "/v1/complaints/"+dup.ID+"/merge", "dev-agent", map[string]string{"into": kept.ID}), 200)
	var m redress.Complaint
	merged.JSON(t, &m)
	if m.Status != redress.StatusMerged || m.MergedInto != kept.ID || m.AckDueAt != nil || m.ResolveDueAt != nil {
		t.Errorf("the merged complaint: %s %s, due %v %v", m.Status, m.MergedInto, m.AckDueAt, m.ResolveDueAt)
	}
	after := s.Complaint(kept.ID)
	if after.Status != before.Status || !after.AckDueAt.Equal(*before.AckDueAt) || !after.ResolveDueAt.Equal(*before.ResolveDueAt) {
		t.Errorf("the kept complaint's clocks moved: %v %v, then %v %v", before.AckDueAt, before.ResolveDueAt, after.AckDueAt, after.ResolveDueAt)
	}
	var description, reply, note bool
	for _, e := range after.Timeline {
		switch {
		case e.Kind == redress.KindMergedMessage && strings.Contains(e.Detail, dup.ID) && strings.Contains(e.Detail, "light comes on"):
			description = e.Public
		case e.Kind == redress.KindMergedMessage && strings.Contains(e.Detail, "KT-200"):
			reply = e.Public
		case e.Kind == redress.KindMergedNote && strings.Contains(e.Detail, "warehouse"):
			note = !e.Public
		}
	}
	if !description || !reply || !note {
		t.Errorf("the kept complaint's timeline (description %v, reply %v, internal note %v):\n%+v", description, reply, note, after.Timeline)
	}
	if len(after.Attachments) != 1 || after.Attachments[0].Filename != "kettle.png" {
		t.Errorf("the kept complaint's files: %+v", after.Attachments)
	}
	if r := s.Do("GET", "/v1/track/"+kept.TrackingToken+"/attachments/"+after.Attachments[0].ID, "", nil); r.Status != http.StatusOK {
		t.Errorf("the kept complaint's link does not download the duplicate's photo: %d", r.Status)
	}
	var view struct {
		Status      string `json:"status"`
		ContinuedAt string `json:"continued_at"`
	}
	ok(t, "track the duplicate", s.Do("GET", "/v1/track/"+dup.TrackingToken, "", nil), 200).JSON(t, &view)
	if view.Status != "merged" || !strings.HasSuffix(view.ContinuedAt, "/track/"+kept.TrackingToken) {
		t.Errorf("the duplicate's tracking view: %+v", view)
	}
	mail := s.Mailbox.WaitFor(t, 10*time.Second, "the merge's mail", func(m redresstest.Mail) bool {
		return strings.Contains(m.Header("Subject"), "Your complaints are now one")
	})
	if !strings.Contains(mail.Data, "/track/"+kept.TrackingToken) || strings.Contains(mail.Data, "/track/"+dup.TrackingToken) {
		t.Errorf("the merge's mail does not send the customer to the kept complaint:\n%s", mail.Data)
	}
	d, err := s.Temporal.DescribeWorkflowExecution(context.Background(), redress.ComplaintWorkflowID(dup.ID), "")
	if err != nil || d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("the duplicate's workflow: %v, %v; want it completed", d, err)
	}

	// A retry is the same merge; merges that cannot be are refused.
	ok(t, "the merge again", s.Do("POST", "/v1/complaints/"+dup.ID+"/merge", "dev-agent", map[string]string{"into": kept.ID}), 200)
	stranger := file(t, s, complaintOf("crm-dup-stranger", "Kettle stopped heating", "It stopped heating.", ""))
	for _, bad := range []struct {
		name, id, into, key string
		status              int
		want                string
	}{
		{"back into its own duplicate", kept.ID, dup.ID, "dev-agent", 409, "merged"},
		{"another customer's", stranger.ID, kept.ID, "dev-agent", 409, "different customers"},
		{"into itself", kept.ID, kept.ID, "dev-agent", 422, "into"},
		{"into nothing", kept.ID, "0193a0d4-0000-7000-8000-000000000000", "dev-agent", 422, "into"},
		{"by an intake key", order.ID, kept.ID, "dev-intake", 403, "role"},
	} {
		r := s.Do("POST", "/v1/complaints/"+bad.id+"/merge", bad.key, map[string]string{"into": bad.into})
		if r.Status != bad.status || !strings.Contains(string(r.Body), bad.want) {
			t.Errorf("%s: %d %s; want %d naming %q", bad.name, r.Status, r.Body, bad.status, bad.want)
		}
	}

	var summary struct {
		Total    int            `json:"total"`
		ByStatus map[string]int `json:"by_status"`
	}
	window := "?from=" + kept.CreatedAt.Add(-time.Minute).Format(time.RFC3339) + "&to=" + time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	ok(t, "analytics", s.Do("GET", "/v1/analytics/summary"+window, "dev-supervisor", nil), 200).JSON(t, &summary)
	if summary.Total != 6 || summary.ByStatus["merged"] != 0 {
		t.Errorf("the summary counts %d complaints, %d merged; want the 7 filed less the merged one", summary.Total, summary.ByStatus["merged"])
	}
}

// Two merges that cross each other (A into B while B into A) cannot both
// end their complaints: one goes through, the other is refused.
func TestCrossingMergesKeepOneComplaint(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	a := file(t, s, complaintOf("crm-cross", "Parcel never arrived", "Nothing came.", ""))
	b := file(t, s, complaintOf("crm-cross", "Parcel never arrived", "Nothing came at all.", ""))
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, pair := range [][2]string{{a.ID, b.ID}, {b.ID, a.ID}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.Do("POST", "/v1/complaints/"+pair[0]+"/merge", "dev-agent", map[string]string{"into": pair[1]}).Status
		}()
	}
	wg.Wait()
	if statuses[0]+statuses[1] != 200+409 {
		t.Errorf("the crossing merges answered %v; want one 200 and one 409", statuses)
	}
	merged := 0
	for _, id := range []string{a.ID, b.ID} {
		if s.Complaint(id).Status == redress.StatusMerged {
			merged++
		}
	}
	if merged != 1 {
		t.Errorf("%d of the two complaints are merged; want 1", merged)
	}
}
