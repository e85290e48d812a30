package attachments_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/redresstest"
)

// fileComplaint files a complaint over the API and returns its id.
func fileComplaint(t *testing.T, stack *redresstest.Stack) string {
	t.Helper()
	customer := uuid.NewString()
	r := stack.Do("POST", "/v1/complaints", "dev-intake", map[string]any{
		"customer": map[string]any{"external_id": customer, "name": "Li Wei", "email": customer + "@example.com"},
		"channel":  "web", "subject": "Kettle cracked", "description": "The lid cracked on the first day."})
	if r.Status != http.StatusCreated {
		t.Fatalf("file a complaint: %d %s", r.Status, r.Body)
	}
	var c redress.Complaint
	r.JSON(t, &c)
	return c.ID
}

func customerUpload(complaintID, filename string) attachments.Upload {
	return attachments.Upload{ComplaintID: complaintID, Filename: filename, From: redress.AttachmentFromCustomer,
		Actor: "customer", By: redress.ByKey("dev-intake")}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if redress.ErrorCode(err) != code {
		t.Fatalf("error %v; want code %s", err, code)
	}
}

// The store on each backend: files kept, streamed, hashed and read back;
// the same file kept once; every refusal leaving nothing behind.
func TestStore(t *testing.T) {
	stack := redresstest.StartStack(t, redresstest.StackOptions{})
	for name, url := range backends(t) {
		t.Run(name, func(t *testing.T) {
			store := openStore(t, stack, url)
			ctx := context.Background()

			t.Run("kept, hashed, read back and recorded", func(t *testing.T) {
				id := fileComplaint(t, stack)
				content := redresstest.PNG(3*attachments.MaxSize/4, 7)
				a, added, err := store.Add(ctx, customerUpload(id, `C:\fakepath\照片 "lid".png`), bytes.NewReader(content))
				if err != nil || !added {
					t.Fatalf("Add = %+v, %v, %v", a, added, err)
				}
				sum := sha256.Sum256(content)
				if a.Filename != `照片 "lid".png` || a.ContentType != "image/png" || a.Size != int64(len(content)) ||
					a.SHA256 != hex.EncodeToString(sum[:]) || a.From != redress.AttachmentFromCustomer || a.ComplaintID != id {
					t.Errorf("kept as %+v", a)
				}
				for _, read := range []func() (redress.Attachment, io.ReadCloser, error){
					func() (redress.Attachment, io.ReadCloser, error) { return store.Read(ctx, a.ID) },
					func() (redress.Attachment, io.ReadCloser, error) { return store.ReadForCustomer(ctx, id, a.ID) },
				} {
					got, body, err := read()
					if err != nil {
						t.Fatal(err)
					}
					back, _ := io.ReadAll(body)
					body.Close()
					if got.ID != a.ID || !bytes.Equal(back, content) {
						t.Errorf("read back %+v and %d bytes; want %d bytes", got, len(back), len(content))
					}
				}
				c := stack.Complaint(id)
				if len(c.Attachments) != 1 || c.Attachments[0].SHA256 != a.SHA256 {
					t.Errorf("the complaint lists %+v", c.Attachments)
				}
				if lines := redresstest.LinesOf(c, redress.KindAttachment); len(lines) != 1 || lines[0].By != redress.ByKey("dev-intake") ||
					lines[0].Actor != "customer" || lines[0].Public || !strings.Contains(lines[0].Detail, `照片 "lid".png`) {
					t.Errorf("timeline lines %+v", lines)
				}
			})

			t.Run("the same file under the same name is kept once", func(t *testing.T) {
				id := fileComplaint(t, stack)
				content := redresstest.PNG(5000, 1)
				first, _, err := store.Add(ctx, customerUpload(id, "lid.png"), bytes.NewReader(content))
				if err != nil {
					t.Fatal(err)
				}
				again, added, err := store.Add(ctx, customerUpload(id, "lid.png"), bytes.NewReader(content))
				if err != nil || added || again.ID != first.ID {
					t.Fatalf("the retry = %+v, added %v, %v; want %s again", again, added, err, first.ID)
				}
				renamed, added, err := store.Add(ctx, customerUpload(id, "lid-2.png"), bytes.NewReader(content))
				if err != nil || !added || renamed.ID == first.ID {
					t.Fatalf("under another name = %+v, added %v, %v; want a new attachment", renamed, added, err)
				}
				c := stack.Complaint(id)
				if len(c.Attachments) != 2 || len(redresstest.LinesOf(c, redress.KindAttachment)) != 2 {
					t.Errorf("%d attachments and %d lines; want 2 of each", len(c.Attachments), len(redresstest.LinesOf(c, redress.KindAttachment)))
				}
				if keys := keysUnder(t, url, "complaints/"+id+"/"); len(keys) != 2 {
					t.Errorf("the object store holds %v; want the two files", keys)
				}
			})

			t.Run("refusals leave nothing behind", func(t *testing.T) {
				id := fileComplaint(t, stack)
				refusals := []struct {
					name, code string
					file       io.Reader
				}{
					{"one byte over the limit", redress.ETOOLARGE, bytes.NewReader(redresstest.PNG(attachments.MaxSize+1, 2))},
					{"an endless stream", redress.ETOOLARGE, endless{}},
					{"HTML", redress.EUNSUPPORTED, strings.NewReader("<!DOCTYPE html><html><script>alert(1)</script></html>")},
					{"SVG", redress.EUNSUPPORTED, strings.NewReader(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
					{"a Linux program", redress.EUNSUPPORTED, bytes.NewReader(append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 600)...))},
					{"a Windows program", redress.EUNSUPPORTED, bytes.NewReader(append([]byte("MZ\x90\x00"), make([]byte, 600)...))},
					{"a shell script", redress.EUNSUPPORTED, strings.NewReader("#!/bin/sh\nrm -rf /\n")},
					{"an empty file", redress.EINVALID, strings.NewReader("")},
					{"a stream that breaks off", redress.EINVALID, io.MultiReader(bytes.NewReader(redresstest.PNG(100_000, 3)), failing{})},
				}
				for _, r := range refusals {
					_, _, err := store.Add(ctx, customerUpload(id, "file.png"), r.file)
					if redress.ErrorCode(err) != r.code {
						t.Errorf("%s: %v; want %s", r.name, err, r.code)
					}
				}
				_, _, err := store.Add(ctx, customerUpload("5f0c1c4e-0000-4000-8000-000000000000", "x.png"), bytes.NewReader(redresstest.PNG(10, 1)))
				wantCode(t, err, redress.ENOTFOUND)
				_, _, err = store.Add(ctx, attachments.Upload{ComplaintID: id, Filename: "x.png", From: "nobody", Actor: "x", By: "x"},
					bytes.NewReader(redresstest.PNG(10, 1)))
				wantCode(t, err, redress.EINVALID)

				if c := stack.Complaint(id); len(c.Attachments) != 0 || len(redresstest.LinesOf(c, redress.KindAttachment)) != 0 {
					t.Errorf("refused files left %+v and %+v", c.Attachments, redresstest.LinesOf(c, redress.KindAttachment))
				}
				if keys := keysUnder(t, url, ""); strings.Contains(strings.Join(keys, " "), id) {
					t.Errorf("refused files left %v in the object store", keys)
				}
			})

			t.Run("at most ten files, the limit itself allowed", func(t *testing.T) {
				id := fileComplaint(t, stack)
				if _, _, err := store.Add(ctx, customerUpload(id, "full.png"), bytes.NewReader(redresstest.PNG(attachments.MaxSize, 0))); err != nil {
					t.Fatalf("a file of exactly %d bytes: %v", attachments.MaxSize, err)
				}
				for i := 1; i < attachments.MaxPerComplaint; i++ {
					if _, _, err := store.Add(ctx, customerUpload(id, fmt.Sprintf("%d.png", i)), bytes.NewReader(redresstest.PNG(100, byte(i)))); err != nil {
						t.Fatalf("file %d: %v", i+1, err)
					}
				}
				_, _, err := store.Add(ctx, customerUpload(id, "eleven.png"), bytes.NewReader(redresstest.PNG(100, 11)))
				wantCode(t, err, redress.ETOOLARGE)
				// A retry of a file it has is still answered.
				if _, added, err := store.Add(ctx, customerUpload(id, "1.png"), bytes.NewReader(redresstest.PNG(100, 1))); err != nil || added {
					t.Errorf("a retry on a full complaint: added %v, %v", added, err)
				}
				if keys := keysUnder(t, url, "complaints/"+id+"/"); len(keys) != attachments.MaxPerComplaint {
					t.Errorf("the object store holds %d files; want %d", len(keys), attachments.MaxPerComplaint)
				}
			})

			t.Run("a customer reads only their own files of their complaint", func(t *testing.T) {
				mine, theirs := fileComplaint(t, stack), fileComplaint(t, stack)
				own, _, err := store.Add(ctx, customerUpload(mine, "own.png"), bytes.NewReader(redresstest.PNG(100, 1)))
				if err != nil {
					t.Fatal(err)
				}
				staffs, _, err := store.Add(ctx, attachments.Upload{ComplaintID: mine, Filename: "invoice.pdf",
					From: redress.AttachmentFromStaff, Actor: "ana", By: redress.ByKey("dev-agent")}, strings.NewReader("%PDF-1.7\n%%EOF\n"))
				if err != nil || staffs.ContentType != "application/pdf" {
					t.Fatalf("a staff PDF: %+v, %v", staffs, err)
				}
				other, _, err := store.Add(ctx, customerUpload(theirs, "other.png"), bytes.NewReader(redresstest.PNG(100, 2)))
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range []string{staffs.ID, other.ID, "not-an-id"} {
					if _, _, err := store.ReadForCustomer(ctx, mine, id); redress.ErrorCode(err) != redress.ENOTFOUND {
						t.Errorf("the customer reads %s: %v; want not found", id, err)
					}
				}
				if _, body, err := store.ReadForCustomer(ctx, mine, own.ID); err != nil {
					t.Errorf("the customer's own file: %v", err)
				} else {
					body.Close()
				}
			})
		})
	}
}

// endless is a PNG that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	copy(p, redresstest.PNG(len(p), 9))
	return len(p), nil
}

// failing is a connection that breaks.
type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }
