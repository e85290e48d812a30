package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/redresstest"
)

// upload posts a file to a complaint as multipart/form-data in the field
// file, declared as declared whatever it holds.
func upload(s *redresstest.Stack, complaintID, key, filename, declared string, content []byte) *redresstest.Response {
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	_ = form.WriteField("note", "fields other than file are passed over")
	part, _ := form.CreatePart(textproto.MIMEHeader{
		"Content-Disposition": {fmt.Sprintf(`form-data; name="file"; filename=%q`, filename)},
		"Content-Type":        {declared}})
	part.Write(content)
	form.Close()
	return s.Do("POST", "/v1/complaints/"+complaintID+"/attachments", key, body.Bytes(), "Content-Type", form.FormDataContentType())
}

// Attachments over the real stack: uploaded by an intake system (the
// customer's) and by an agent (staff's), listed on the complaint, kept once
// when sent again, downloaded by staff and by the customer's own link as
// downloads no browser renders; over 10 MiB, over 10 files, a type not
// allowed and a malformed upload are refused with problem+json and change
// nothing; no download without a credential, and no link reaches another
// complaint's file or staff's.
func TestAttachments(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy})
	c, other := file(t, s, newComplaint("crm-files")), file(t, s, newComplaint("crm-files-other"))

	content := redresstest.PNG(2<<20, 5) // far over the 64 KiB of other bodies
	r := ok(t, "the customer's photo", upload(s, c.ID, "dev-intake", "破损的壶.png", "application/octet-stream", content), http.StatusCreated)
	var mine redress.Attachment
	r.JSON(t, &mine)
	sum := sha256.Sum256(content)
	if mine.Filename != "破损的壶.png" || mine.ContentType != "image/png" || mine.Size != int64(len(content)) ||
		mine.SHA256 != hex.EncodeToString(sum[:]) || mine.From != redress.AttachmentFromCustomer || mine.ID == "" {
		t.Errorf("the customer's photo is kept as %s", r.Body)
	}
	again := ok(t, "the same photo again", upload(s, c.ID, "dev-intake", "破损的壶.png", "image/png", content), http.StatusOK)
	var repeated redress.Attachment
	again.JSON(t, &repeated)
	if repeated.ID != mine.ID {
		t.Errorf("sent again, the photo became %s; want %s", repeated.ID, mine.ID)
	}
	r = ok(t, "the agent's PDF", upload(s, c.ID, "dev-agent", "invoice.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj\n%%EOF\n")), http.StatusCreated)
	var staffs redress.Attachment
	r.JSON(t, &staffs)
	if staffs.From != redress.AttachmentFromStaff || staffs.ContentType != "application/pdf" {
		t.Errorf("the agent's PDF is kept as %s", r.Body)
	}

	// A path in the name is never followed: the file keeps its last part.
	r = ok(t, "a name with a path", upload(s, other.ID, "dev-intake", "../../etc/passwd.png", "image/png", redresstest.PNG(100, 9)), http.StatusCreated)
	var traversal redress.Attachment
	if r.JSON(t, &traversal); traversal.Filename != "passwd.png" {
		t.Errorf("../../etc/passwd.png is kept as %q", traversal.Filename)
	}

	got := s.Complaint(c.ID)
	if len(got.Attachments) != 2 || got.Attachments[0].ID != mine.ID || got.Attachments[1].ID != staffs.ID {
		t.Errorf("the complaint lists %+v; want the photo, then the PDF", got.Attachments)
	}
	lines := redresstest.LinesOf(got, redress.KindAttachment)
	if len(lines) != 2 || lines[0].Actor != "customer" || lines[0].By != "key:dev-intake" || lines[1].By != "key:dev-agent" {
		t.Errorf("the timeline's attachment lines are %+v", lines)
	}
	var list struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	ok(t, "the list", s.Do("GET", "/v1/complaints", "dev-agent", nil), http.StatusOK).JSON(t, &list)
	for _, item := range list.Items {
		if string(item["attachments"]) != "null" {
			t.Errorf("a list item carries attachments: %s", item["attachments"])
		}
	}

	download := ok(t, "the staff download", s.Do("GET", "/v1/attachments/"+mine.ID, "dev-supervisor", nil), http.StatusOK)
	if !bytes.Equal(download.Body, content) || download.Header.Get("Content-Type") != "image/png" ||
		download.Header.Get("X-Content-Type-Options") != "nosniff" ||
		download.Header.Get("Content-Disposition") != "attachment; filename*=utf-8''%E7%A0%B4%E6%8D%9F%E7%9A%84%E5%A3%B6.png" {
		t.Errorf("the staff download: %d bytes, headers %v", len(download.Body), download.Header)
	}
	pdf := ok(t, "the PDF's download", s.Do("GET", "/v1/attachments/"+staffs.ID, "dev-agent", nil), http.StatusOK)
	if pdf.Header.Get("Content-Disposition") != `attachment; filename=invoice.pdf` || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the PDF's download headers %v", pdf.Header)
	}
	track := "/v1/track/" + c.TrackingToken
	own := ok(t, "the customer's download", s.Do("GET", track+"/attachments/"+mine.ID, "", nil), http.StatusOK)
	if !bytes.Equal(own.Body, content) || own.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(own.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("the customer's download: %d bytes, headers %v", len(own.Body), own.Header)
	}
	var view struct {
		Attachments []redress.Attachment `json:"attachments"`
	}
	ok(t, "the tracking view", s.Do("GET", track, "", nil), http.StatusOK).JSON(t, &view)
	if len(view.Attachments) != 1 || view.Attachments[0].ID != mine.ID {
		t.Errorf("the customer's view lists %+v; want their photo alone", view.Attachments)
	}

	// Refused, each with problem+json; none changes anything.
	for _, tt := range []struct {
		what   string
		r      *redresstest.Response
		status int
	}{
		{"a download without a key", s.Do("GET", "/v1/attachments/"+mine.ID, "", nil), http.StatusUnauthorized},
		{"a download with a wrong key", s.Do("GET", "/v1/attachments/"+mine.ID, "not-a-key", nil), http.StatusUnauthorized},
		{"a download through a wrong link", s.Do("GET", "/v1/track/not-a-token/attachments/"+mine.ID, "", nil), http.StatusNotFound},
		{"staff's file through the customer's link", s.Do("GET", track+"/attachments/"+staffs.ID, "", nil), http.StatusNotFound},
		{"this file through another complaint's link", s.Do("GET", "/v1/track/"+other.TrackingToken+"/attachments/"+mine.ID, "", nil), http.StatusNotFound},
		{"an unknown attachment", s.Do("GET", "/v1/attachments/5f0c1c4e-0000-4000-8000-000000000000", "dev-agent", nil), http.StatusNotFound},
		{"an upload without a key", upload(s, c.ID, "", "x.png", "image/png", redresstest.PNG(100, 1)), http.StatusUnauthorized},
		{"a file over 10 MiB", upload(s, c.ID, "dev-intake", "huge.png", "image/png", redresstest.PNG(attachments.MaxSize+1, 2)), http.StatusRequestEntityTooLarge},
		{"an HTML page", upload(s, c.ID, "dev-intake", "photo.png", "image/png", []byte("<html><body><script>alert(1)</script></body></html>")), http.StatusUnsupportedMediaType},
		{"a program", upload(s, c.ID, "dev-agent", "report.pdf", "application/pdf", append([]byte("MZ\x90\x00\x03"), make([]byte, 1000)...)), http.StatusUnsupportedMediaType},
		{"an empty file", upload(s, c.ID, "dev-intake", "empty.txt", "text/plain", nil), http.StatusUnprocessableEntity},
		{"JSON, not a form", s.Do("POST", "/v1/complaints/"+c.ID+"/attachments", "dev-intake", map[string]string{"file": "x"}), http.StatusUnsupportedMediaType},
		{"a form without the file", s.Do("POST", "/v1/complaints/"+c.ID+"/attachments", "dev-intake", "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n",
			"Content-Type", "multipart/form-data; boundary=b"), http.StatusUnprocessableEntity},
		{"an unknown complaint", upload(s, "5f0c1c4e-0000-4000-8000-000000000000", "dev-intake", "x.png", "image/png", redresstest.PNG(100, 1)), http.StatusNotFound},
		{"a form without its boundary", s.Do("POST", "/v1/complaints/"+c.ID+"/attachments", "dev-intake", "x", "Content-Type", "multipart/form-data"),
			http.StatusUnsupportedMediaType},
		{"a form that never names its boundary", s.Do("POST", "/v1/complaints/"+c.ID+"/attachments", "dev-intake", string(redresstest.PNG(5000, 1)),
			"Content-Type", "multipart/form-data; boundary=b"), http.StatusBadRequest},
		{"a file cut off", s.Do("POST", "/v1/complaints/"+c.ID+"/attachments", "dev-intake",
			"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.png\"\r\n\r\n"+string(redresstest.PNG(200_000, 3)),
			"Content-Type", "multipart/form-data; boundary=b"), http.StatusBadRequest},
	} {
		expectStatus(t, tt.what, tt.r, tt.status)
	}
	if after := s.Complaint(c.ID); len(after.Attachments) != 2 || len(after.Timeline) != len(got.Timeline) {
		t.Errorf("refused uploads changed the complaint: %d attachments, %d lines; want 2 and %d",
			len(after.Attachments), len(after.Timeline), len(got.Timeline))
	}

	// Ten files fill a complaint (it has one already); the eleventh is
	// refused.
	for i := 1; i < attachments.MaxPerComplaint; i++ {
		ok(t, fmt.Sprintf("file %d", i+1), upload(s, other.ID, "dev-intake", fmt.Sprintf("%d.png", i+1), "image/png", redresstest.PNG(1000, byte(i))), http.StatusCreated)
	}
	expectStatus(t, "an eleventh file", upload(s, other.ID, "dev-intake", "11.png", "image/png", redresstest.PNG(1000, 11)), http.StatusRequestEntityTooLarge)
	if n := len(s.Complaint(other.ID).Attachments); n != attachments.MaxPerComplaint {
		t.Errorf("the full complaint has %d attachments; want %d", n, attachments.MaxPerComplaint)
	}
}

// An upload met by a Temporal outage after its file was kept answers 503
// and keeps the file; the same upload once Temporal is back adds no second
// file and writes the timeline line, once.
func TestAttachmentRetriedAfterAnOutageIsRecordedOnce(t *testing.T) {
	dir := t.TempDir()
	first := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy, DataDir: dir})
	c := file(t, first, newComplaint("crm-files-outage"))
	if err := first.StopTemporalServer(); err != nil {
		t.Fatal(err)
	}
	content := redresstest.PNG(50_000, 4)
	expectUnavailable(t, "an upload without Temporal", upload(first, c.ID, "dev-intake", "lid.png", "image/png", content))
	kept := first.Complaint(c.ID).Attachments
	if len(kept) != 1 {
		t.Fatalf("during the outage the complaint lists %+v; want the kept file", kept)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := redresstest.StartStack(t, redresstest.StackOptions{Policy: slowPolicy, DataDir: dir,
		DatabaseURL: first.Config.DatabaseURL, TemporalAddress: first.Config.TemporalAddress})
	for _, what := range []string{"the retry", "another retry"} {
		var a redress.Attachment
		ok(t, what, upload(second, c.ID, "dev-intake", "lid.png", "image/png", content), http.StatusOK).JSON(t, &a)
		if a.ID != kept[0].ID {
			t.Errorf("%s answers %s; want the kept %s", what, a.ID, kept[0].ID)
		}
	}
	got := second.Complaint(c.ID)
	if lines := redresstest.LinesOf(got, redress.KindAttachment); len(got.Attachments) != 1 || len(lines) != 1 {
		t.Errorf("after the retries: %d attachments, %d timeline lines; want 1 and 1", len(got.Attachments), len(lines))
	}
	if r := ok(t, "the download", second.Do("GET", "/v1/attachments/"+kept[0].ID, "dev-agent", nil), http.StatusOK); !bytes.Equal(r.Body, content) {
		t.Errorf("the file read back is %d bytes; want %d", len(r.Body), len(content))
	}
}
