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

func (s *Store) open(ctx context.Context, a redress.Attachment) (redress.Attachment, io.ReadCloser, error) {
	r, err := s.bucket.NewReader(ctx, a.BlobKey, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		// A row whose bytes are gone is a fault of ours, not the caller's.
		return a, nil, err
	}
	if err != nil {
		return a, nil, s.storeDown(err)
	}
	return a, r, nil
}
