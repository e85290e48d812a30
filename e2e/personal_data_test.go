package e2e

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/redresstest"
)

// personalStory files a complaint with everything a customer and an agent
// write about it: details, a description, a file, a reply each way, a note.
// It returns the complaint and the words that must never be read in clear.
func personalStory(t *testing.T, s *redresstest.Stack, name, email, phone, tag string) (created, []string) {
	t.Helper()
	c := file(t, s, map[string]any{
		"customer":    map[string]any{"external_id": "crm-" + tag, "name": name, "email": email, "phone": phone},
		"channel":     "web",
		"subject":     "Ceiling of the " + tag + " kitchen fell",
		"description": "The " + tag + " plaster came down on my table after the fitter left.",
	})
	ok(t, "file", upload(s, c.ID, "dev-intake", tag+"-receipt.txt", "text/plain", []byte("receipt "+tag+"-content")), 201)
	ok(t, "agent reply", s.Do("POST", "/v1/complaints/"+c.ID+"/updates", "dev-agent",
		map[string]any{"message": "We will call you about the " + tag + " visit."}), 200)
	ok(t, "customer reply", s.Do("POST", "/v1/track/"+c.TrackingToken+"/reply", "",
		map[string]any{"message": "My neighbour saw the " + tag + " damage."}), 200)
	ok(t, "note", s.Do("POST", "/v1/customers/"+c.CustomerID+"/notes", "dev-agent",
		map[string]any{"note": "Prefers " + tag + " calls after six."}), 201)
	return c, []string{name, email, phone, "Ceiling of the " + tag, tag + " plaster", tag + "-receipt",
		tag + "-content", tag + " visit", tag + " damage", tag + " calls"}
}

// startInput is the first payload of a complaint workflow's start, as
// Temporal keeps it: read without any key.
func startInput(t *testing.T, s *redresstest.Stack, complaintID string) *commonpb.Payload {
	t.Helper()
	raw, err := client.Dial(client.Options{HostPort: s.Config.TemporalAddress, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	it := raw.GetWorkflowHistory(context.Background(), redress.ComplaintWorkflowID(complaintID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := e.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			return a.Input.Payloads[0]
		}
	}
	t.Fatal("no start event")
	return nil
}

// decodeThroughCodec asks the Web UI's codec endpoint, as a supervisor, to
// decode one payload.
func decodeThroughCodec(t *testing.T, s *redresstest.Stack, p *commonpb.Payload) *commonpb.Payload {
	t.Helper()
	body, err := temporalproto.CustomJSONMarshalOptions{}.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{p}})
	if err != nil {
		t.Fatal(err)
	}
	r := ok(t, "decode", s.Do("POST", "/codec/decode", "dev-supervisor", body), 200)
	var decoded commonpb.Payloads
	if err := (temporalproto.CustomJSONUnmarshalOptions{}).Unmarshal(r.Body, &decoded); err != nil {
		t.Fatal(err)
	}
	return decoded.Payloads[0]
}

// filesUnder is every file's bytes under a folder, joined.
func filesUnder(t *testing.T, dir string) string {
	t.Helper()
	var all strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		all.Write(b)
		all.WriteString(path)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return all.String()
}

// Personal data at rest (SPEC section 12): a dump of the database and the
// object store show none of what customers and agents wrote; an erased
// customer's complaints lose it for good while the counts stay, their
// link answers 410 and their workflow ends; another customer's export
// gives back what was filed.
func TestPersonalDataIsSealedErasedAndExported(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	zhao, zhaoWords := personalStory(t, s, "Zhao Leiming", "zhao.leiming@example.com", "+86 139 2468 1357", "Zhaoside")
	qian, qianWords := personalStory(t, s, "Qian Meiyu", "qian.meiyu@example.net", "+86 137 1122 3344", "Qianhill")
	blobs := filepath.Join(s.Config.DataDir, "attachments")

	dump, stored := redresstest.Dump(t, s.Config.DatabaseURL), filesUnder(t, blobs)
	for _, word := range append(zhaoWords, qianWords...) {
		for _, w := range []string{word, strings.ToLower(word)} {
			if strings.Contains(dump, w) {
				t.Errorf("pg_dump shows %q in clear", w)
			}
			if strings.Contains(stored, w) {
				t.Errorf("the object store shows %q in clear", w)
			}
		}
	}
	// The complaint's history in Temporal is encrypted with the customer's
	// own data key, and decodes for a supervisor until the erasure.
	input := startInput(t, s, zhao.ID)
	if got := string(input.Metadata["encryption-key-id"]); got != "customer:"+zhao.CustomerID {
		t.Errorf("the workflow's input is encrypted with key %q; want the customer's", got)
	}
	if decoded := decodeThroughCodec(t, s, input); !strings.Contains(string(decoded.Data), zhao.CustomerID) {
		t.Errorf("the codec endpoint does not decode the customer's history: %s", decoded.Data)
	}

	// Only an admin erases, and with a reason.
	ok(t, "agent erasing", s.Do("POST", "/v1/customers/"+zhao.CustomerID+"/erase", "dev-agent", map[string]any{"reason": "asked"}), 403)
	ok(t, "no reason", s.Do("POST", "/v1/customers/"+zhao.CustomerID+"/erase", "dev-admin", map[string]any{}), 422)
	ok(t, "erase", s.Do("POST", "/v1/customers/"+zhao.CustomerID+"/erase", "dev-admin",
		map[string]any{"reason": "GDPR art. 17 request by e-mail"}), 202)
	var cu redress.Customer
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r := s.Do("GET", "/v1/customers/"+zhao.CustomerID, "dev-agent", nil)
		ok(t, "customer", r, 200)
		r.JSON(t, &cu)
		if cu.Erasure == nil {
			t.Fatalf("the customer shows no erasure: %s", r.Body)
		}
		if cu.Erasure.Status == redress.ErasureDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the erasure is still %q", cu.Erasure.Status)
		}
		time.Sleep(time.Second)
	}
	if cu.Name != "" || cu.Email != "" || cu.Phone != "" || cu.ExternalID != "" || cu.ErasedAt == nil {
		t.Errorf("the erased customer: %+v", cu)
	}
	ok(t, "again", s.Do("POST", "/v1/customers/"+zhao.CustomerID+"/erase", "dev-admin", map[string]any{"reason": "again"}), 200)

	var erased redress.Complaint
	r := s.Do("GET", "/v1/complaints/"+zhao.ID, "dev-agent", nil)
	ok(t, "erased complaint", r, 200)
	r.JSON(t, &erased)
	if erased.Subject != "" || erased.Description != "" || len(erased.Attachments) != 0 {
		t.Errorf("the erased complaint keeps %q, %q, %d files", erased.Subject, erased.Description, len(erased.Attachments))
	}
	for _, line := range erased.Timeline {
		if line.Detail != "" {
			t.Errorf("a line keeps %q", line.Detail)
		}
	}
	ok(t, "erased link", s.Do("GET", "/v1/track/"+zhao.TrackingToken, "", nil), 410)
	if after := decodeThroughCodec(t, s, input); string(after.Metadata["encoding"]) != "binary/encrypted" ||
		strings.Contains(string(after.Data), zhao.CustomerID) {
		t.Errorf("the erased customer's history still decodes: %s", after.Data)
	}
	d, err := s.Temporal.DescribeWorkflowExecution(context.Background(), redress.ComplaintWorkflowID(zhao.ID), "")
	if err != nil || d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Errorf("the erased complaint's workflow: %v, %v", d.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	if strings.Contains(filesUnder(t, blobs), zhao.ID) {
		t.Error("the erased complaint's file is still in the object store")
	}
	// Dumped again: not even the erased customer's ciphertexts are left,
	// while the other customer's still are.
	after := redresstest.Dump(t, s.Config.DatabaseURL)
	if n := strings.Count(after, "enc1."+zhao.CustomerID); n != 0 {
		t.Errorf("the dump after the erasure holds %d values sealed with the erased customer's key", n)
	}
	if strings.Count(after, "enc1."+qian.CustomerID) == 0 {
		t.Error("the dump holds no sealed value of the other customer: the test reads the wrong dump")
	}
	for _, word := range zhaoWords {
		if strings.Contains(after, word) {
			t.Errorf("the dump after the erasure shows %q", word)
		}
	}
	// Analytics count it still: both complaints are listed.
	var list struct{ Items []redress.Complaint }
	s.Do("GET", "/v1/complaints", "dev-agent", nil).JSON(t, &list)
	if len(list.Items) != 2 {
		t.Errorf("%d complaints listed after the erasure; want 2", len(list.Items))
	}
	// The same person writing again is a new customer.
	again := file(t, s, map[string]any{"customer": map[string]any{"email": "zhao.leiming@example.com"},
		"channel": "web", "subject": "Another thing", "description": "A new complaint after my erasure."})
	if again.CustomerID == zhao.CustomerID {
		t.Error("a new complaint went to the erased customer")
	}
	ok(t, "complaint for the erased id", s.Do("POST", "/v1/complaints", "dev-intake", map[string]any{
		"customer": map[string]any{"id": zhao.CustomerID}, "channel": "web", "subject": "x", "description": "y"}), 410)

	// The export gives back what was filed, to admins only.
	ok(t, "agent export", s.Do("GET", "/v1/customers/"+qian.CustomerID+"/export", "dev-agent", nil), 403)
	r = s.Do("GET", "/v1/customers/"+qian.CustomerID+"/export", "dev-admin", nil)
	ok(t, "export", r, 200)
	var export desk.CustomerExport
	r.JSON(t, &export)
	got := export.Customer
	if got.Name != "Qian Meiyu" || got.Email != "qian.meiyu@example.net" || got.Phone != "+86 137 1122 3344" ||
		len(export.Complaints) != 1 || export.Complaints[0].Subject != "Ceiling of the Qianhill kitchen fell" ||
		export.Complaints[0].Description != "The Qianhill plaster came down on my table after the fitter left." ||
		len(export.Complaints[0].Attachments) != 1 || export.Complaints[0].Attachments[0].Filename != "Qianhill-receipt.txt" ||
		len(export.Notes) != 1 || export.Notes[0].Note != "Prefers Qianhill calls after six." || len(export.Changes) == 0 {
		t.Errorf("the export: %s", r.Body)
	}
	lines := ""
	for _, l := range export.Complaints[0].Timeline {
		lines += l.Detail + "\n"
	}
	for _, said := range []string{"We will call you about the Qianhill visit.", "My neighbour saw the Qianhill damage."} {
		if !strings.Contains(lines, said) {
			t.Errorf("the export's timeline lacks %q:\n%s", said, lines)
		}
	}
	var audit struct{ Items []redress.AuditLine }
	s.Do("GET", "/v1/audit?action="+redress.AuditExport, "dev-admin", nil).JSON(t, &audit)
	if len(audit.Items) != 1 || audit.Items[0].Target != "customer:"+qian.CustomerID {
		t.Errorf("the audit log's exports: %+v", audit.Items)
	}
	s.Do("GET", "/v1/audit?action="+redress.AuditErase, "dev-admin", nil).JSON(t, &audit)
	if len(audit.Items) < 3 {
		t.Errorf("the audit log's erasure lines: %+v", audit.Items)
	}
}
