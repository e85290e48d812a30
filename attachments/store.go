// Package attachments keeps the files of complaints: their bytes in an
// object store reached through gocloud.dev/blob (a folder, or any
// S3-compatible store), their facts in PostgreSQL, and a line for each on
// the complaint's timeline. Every front door (the API, the public form,
// inbound e-mail) adds files through Store.Add.
package attachments

import (
	"context"
	"fmt"
	"log/slog"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// URLs
	_ "gocloud.dev/blob/s3blob"   // s3:// URLs

	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/postgres"
)

// Store keeps complaints' attachments.
type Store struct {
	bucket *blob.Bucket
	db     *postgres.DB
	desk   *desk.Desk
	logger *slog.Logger
}

// Open opens the object store at url (REDRESS_BLOB_URL), such as
// file:///var/lib/redress/attachments?create_dir=1 or
// s3://bucket?region=eu-west-1; the metadata go to db, the timeline lines
// through the desk.
func Open(ctx context.Context, url string, db *postgres.DB, d *desk.Desk, logger *slog.Logger) (*Store, error) {
	bucket, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("attachments: open the object store: %w", err)
	}
	return &Store{bucket: bucket, db: db, desk: d, logger: logger}, nil
}

// Close releases the object store.
func (s *Store) Close() error { return s.bucket.Close() }

// blobKey is where an attachment's bytes are kept: under its complaint, so
// that one prefix holds every file of a complaint.
func blobKey(complaintID, attachmentID string) string {
	return "complaints/" + complaintID + "/" + attachmentID
}
