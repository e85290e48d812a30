package attachments

import (
	"bufio"
	"context"
	"errors"
	"io"
	"slices"

	"github.com/google/uuid"
	"gocloud.dev/blob"

	"github.com/redress-dev/redress"
)

// Upload says whose file is added to which complaint.
type Upload struct {
	ComplaintID string
	// Filename is the name the sender gave; it is kept without its path.
	Filename string
	// From is redress.AttachmentFromCustomer for a file the customer sent
	// (through an intake system, the form or e-mail), else
	// redress.AttachmentFromStaff.
	From string
	// Actor is who the timeline says attached it: "customer", or the staff
	// member.
	Actor string
	// By is the credential behind the upload (redress.ByKey, redress.ByUser,
	// or the channel's own), which the timeline records.
	By string
}

// s3PartSize is the object store's upload buffer: S3's smallest part, one
// part at a time, so an upload holds at most this much in memory.
const s3PartSize = 5 << 20

// Add keeps one file of a complaint, reading file once: the type is told
// from the first bytes, the file is streamed to the object store while its
// sha256 is computed, and its facts are recorded, then its timeline line.
// A file over MaxSize or a complaint with MaxPerComplaint files is
// ETOOLARGE, a type not allowed EUNSUPPORTED, an empty file EINVALID, a
// closed complaint ECONFLICT; a refused upload, or one that breaks off,
// leaves neither bytes nor a row behind.
//
// Adding is idempotent: the same bytes under the same name on the same
// complaint are kept once, and Add then returns the attachment already
// kept with added false. A caller that retries (a mail delivered again, an
// upload answered 503 because its timeline line could not be written after
// the file was kept) therefore adds nothing, and its retry writes the line
// the first attempt could not.
func (s *Store) Add(ctx context.Context, u Upload, file io.Reader) (a redress.Attachment, added bool, err error) {
	u.Filename = cleanFilename(u.Filename)
	ch := &redress.Checker{}
	redress.CheckEnum(ch, "from", u.From, true, redress.AttachmentSenders)
	ch.Text("actor", u.Actor, true, 100)
	ch.Text("by", u.By, true, 200)
	if err := ch.Err(); err != nil {
		return a, false, err
	}
	complaint, err := s.db.Complaint(ctx, u.ComplaintID)
	if err != nil {
		return a, false, err
	}
	// Refused before a byte is read, when the answer is known already; the
	// store decides again when it records the file.
	if !complaint.Status.TakesAttachments() {
		return a, false, redress.Errorf(redress.ECONFLICT, "the complaint is %s and takes no more attachments", complaint.Status)
	}
	if n := len(complaint.Attachments); n >= MaxPerComplaint &&
		!slices.ContainsFunc(complaint.Attachments, func(a redress.Attachment) bool { return a.Filename == u.Filename }) {
		return a, false, redress.Errorf(redress.ETOOLARGE, "the complaint already has %d attachments, the most it may have", n)
	}

	head := bufio.NewReaderSize(file, sniffLen)
	start, err := head.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return a, false, unreadable(err)
	}
	if len(start) == 0 {
		return a, false, redress.Invalid(redress.FieldError{Field: "file", Message: "is empty"})
	}
	typ, err := contentType(start)
	if err != nil {
		return a, false, err
	}
	a = redress.Attachment{ID: uuid.NewString(), ComplaintID: complaint.ID, Filename: u.Filename, ContentType: typ,
		From: u.From, By: u.By}
	a.BlobKey = blobKey(a.ComplaintID, a.ID)
	if a.Size, a.SHA256, err = s.write(ctx, &a, head); err != nil {
		return redress.Attachment{}, false, err
	}
	stored, err := s.db.AddAttachment(ctx, a, MaxPerComplaint)
	if err != nil || !stored.New {
		s.remove(ctx, a.BlobKey) // refused, or the complaint has these bytes already
	}
	if err != nil {
		return redress.Attachment{}, false, err
	}
	if !stored.OnTimeline {
		if err := s.record(ctx, u, stored.Attachment); err != nil {
			return redress.Attachment{}, false, err
		}
	}
	return stored.Attachment, stored.New, nil
}

// write streams the file to the object store under a.BlobKey, encrypted
// with its customer's data key (whose it is goes in a.KeyOwner), and
// returns its size and sha256. A file over MaxSize, or one that breaks
// off, is aborted: the object store keeps nothing of it.
func (s *Store) write(ctx context.Context, a *redress.Attachment, file io.Reader) (int64, string, error) {
	key, err := s.db.FileKey(ctx, a.ComplaintID)
	if err != nil {
		return 0, "", err
	}
	a.KeyOwner = key.Owner()
	m := newMeter(file)
	encrypted, err := key.EncryptFile(m, a.ID)
	if err != nil {
		return 0, "", err
	}
	writeCtx, abort := context.WithCancel(ctx)
	defer abort()
	// The store sees neither the file's type nor its name.
	w, err := s.bucket.NewWriter(writeCtx, a.BlobKey, &blob.WriterOptions{ContentType: "application/octet-stream",
		BufferSize: s3PartSize, MaxConcurrency: 1})
	if err != nil {
		return 0, "", s.storeDown(err)
	}
	_, copyErr := io.Copy(w, encrypted)
	switch {
	case m.tooLarge():
		copyErr = redress.Errorf(redress.ETOOLARGE, "a file may be at most %d MiB", MaxSize>>20)
	case m.readErr != nil:
		copyErr = unreadable(m.readErr)
	case copyErr != nil:
		copyErr = s.storeDown(copyErr)
	}
	if copyErr != nil {
		abort() // before Close, so the write is abandoned, not committed
		_ = w.Close()
		return 0, "", copyErr
	}
	if err := w.Close(); err != nil {
		return 0, "", s.storeDown(err)
	}
	return m.size, m.sum(), nil
}

// remove deletes bytes no row will name. A failure leaves an object no one
// can reach, which is logged: nothing else depends on it.
func (s *Store) remove(ctx context.Context, key string) {
	if err := s.bucket.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.logger.Error("an unused attachment could not be deleted from the object store", "key", key, "error", err)
	}
}

// unreadable is the failure of the sender's own stream: a body cut off, a
// broken multipart part. One the caller already named passes as it is.
func unreadable(err error) error {
	var known *redress.Error
	if errors.As(err, &known) {
		return known
	}
	return redress.Errorf(redress.EINVALID, "the file could not be read to its end: %v", err)
}

// storeDown answers a failure of the object store, whose details (paths,
// buckets) stay in the log.
func (s *Store) storeDown(err error) error {
	s.logger.Warn("the object store failed", "error", err)
	return &redress.Error{Code: redress.EUNAVAILABLE, Message: "the attachment store is unavailable; try again"}
}
