package attachments

import (
	"context"
	"io"

	"gocloud.dev/gcerrors"

	"github.com/redress-dev/redress"
)

// Read opens an attachment's bytes, for staff. The caller closes the
// reader.
func (s *Store) Read(ctx context.Context, id string) (redress.Attachment, io.ReadCloser, error) {
	a, err := s.db.Attachment(ctx, id)
	if err != nil {
		return a, nil, err
	}
	return s.open(ctx, a)
}

// ReadForCustomer opens an attachment for the customer of complaintID: one
// they may see on that complaint (or on one merged into it), else
// ENOTFOUND, so that no link reveals another complaint's files or staff's.
func (s *Store) ReadForCustomer(ctx context.Context, complaintID, id string) (redress.Attachment, io.ReadCloser, error) {
	a, err := s.db.Attachment(ctx, id)
	if err != nil {
		return a, nil, err
	}
	ours, err := s.db.AttachmentOf(ctx, a, complaintID)
	if err != nil {
		return redress.Attachment{}, nil, err
	}
	if !ours || !a.ShownToCustomer() {
		return redress.Attachment{}, nil, redress.Errorf(redress.ENOTFOUND, "no attachment %q", id)
	}
	return s.open(ctx, a)
}

// open reads a file's bytes, decrypted as they stream (a file stored
// before encryption at rest is read as it is); an erased customer's file
// is EGONE.
func (s *Store) open(ctx context.Context, a redress.Attachment) (redress.Attachment, io.ReadCloser, error) {
	key, err := s.db.AttachmentKey(ctx, a)
	if err != nil {
		return a, nil, err
	}
	r, err := s.bucket.NewReader(ctx, a.BlobKey, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		// A row whose bytes are gone is a fault of ours, not the caller's.
		return a, nil, err
	}
	if err != nil {
		return a, nil, s.storeDown(err)
	}
	if key == nil {
		return a, r, nil
	}
	plain, err := key.DecryptFile(r, a.ID)
	if err != nil {
		r.Close()
		return a, nil, err
	}
	return a, decrypted{Reader: plain, Closer: r}, nil
}

// decrypted reads a file's plain bytes and closes the object it streams.
type decrypted struct {
	io.Reader
	io.Closer
}
