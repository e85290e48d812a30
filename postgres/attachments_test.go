package postgres_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// attachmentOf is the facts of a file whose bytes are content.
func attachmentOf(complaintID, filename, content string) redress.Attachment {
	sum := sha256.Sum256([]byte(content))
	id := uuid.NewString()
	return redress.Attachment{ID: id, ComplaintID: complaintID, Filename: filename, ContentType: "text/plain; charset=utf-8",
		Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), From: redress.AttachmentFromCustomer,
		By: "key:crm", BlobKey: "complaints/" + complaintID + "/" + id}
}

// Uploads racing for a complaint's last place: one takes it, the others
// are refused; the same file sent many times at once is kept once; a
// closed complaint takes none.
func TestAttachmentsRaceForTheLastPlace(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	id := file(t, db, newFiling(newCustomer(t, db, redress.TierStandard).ID, time.Now()))
	for i := range 9 {
		if _, err := db.AddAttachment(ctx, attachmentOf(id, fmt.Sprintf("%d.txt", i), fmt.Sprint(i)), 10); err != nil {
			t.Fatal(err)
		}
	}
	race := func(attachments []redress.Attachment) (added, refused int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, a := range attachments {
			wg.Go(func() {
				stored, err := db.AddAttachment(ctx, a, 10)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && stored.New:
					added++
				case redress.ErrorCode(err) == redress.ETOOLARGE:
					refused++
				case err != nil:
					t.Errorf("AddAttachment: %v", err)
				}
			})
		}
		wg.Wait()
		return added, refused
	}
	var rivals []redress.Attachment
	for i := range 8 {
		rivals = append(rivals, attachmentOf(id, fmt.Sprintf("rival-%d.txt", i), fmt.Sprint("rival", i)))
	}
	if added, refused := race(rivals); added != 1 || refused != 7 {
		t.Errorf("8 uploads for the last place: %d added, %d refused; want 1 and 7", added, refused)
	}

	other := file(t, db, newFiling(newCustomer(t, db, redress.TierStandard).ID, time.Now()))
	var copies []redress.Attachment
	for range 8 {
		copies = append(copies, attachmentOf(other, "same.txt", "the same bytes"))
	}
	if added, refused := race(copies); added != 1 || refused != 0 {
		t.Errorf("8 copies at once: %d added, %d refused; want 1 and 0", added, refused)
	}
	c, err := db.Complaint(ctx, other)
	if err != nil || len(c.Attachments) != 1 {
		t.Fatalf("the complaint lists %+v, %v; want the one copy", c, err)
	}
	if stored, err := db.AddAttachment(ctx, copies[0], 10); err != nil || stored.New || stored.OnTimeline || stored.ID != c.Attachments[0].ID {
		t.Errorf("a retry finds %+v, %v; want the kept copy, not yet on the timeline", stored, err)
	}
	if err := db.MarkAttachmentOnTimeline(ctx, c.Attachments[0].ID); err != nil {
		t.Fatal(err)
	}
	if stored, err := db.AddAttachment(ctx, copies[0], 10); err != nil || !stored.OnTimeline {
		t.Errorf("after its line: %+v, %v; want it on the timeline", stored, err)
	}

	if err := db.ApplyChange(ctx, redress.Change{ComplaintID: other, Seq: 2, State: redress.State{Status: redress.StatusClosed, Priority: redress.P3},
		Timeline: []redress.TimelineEntry{{At: time.Now(), Actor: "system", Kind: redress.KindClosed}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddAttachment(ctx, attachmentOf(other, "late.txt", "late"), 10); redress.ErrorCode(err) != redress.ECONFLICT {
		t.Errorf("a file for a closed complaint: %v; want a conflict", err)
	}
}
