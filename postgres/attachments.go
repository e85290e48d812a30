package postgres

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/crypt"
)

const attachmentColumns = `id, complaint_id, filename, content_type, size, sha256, sender, made_by, blob_key, shared, created_at,
	coalesce(key_owner::text, '')`

func scanAttachment(row pgx.Row, onTimeline *bool) (redress.Attachment, error) {
	var a redress.Attachment
	var id, complaintID uuid.UUID
	var sum []byte
	targets := []any{&id, &complaintID, &a.Filename, &a.ContentType, &a.Size, &sum, &a.From, &a.By, &a.BlobKey, &a.Shared, &a.CreatedAt,
		&a.KeyOwner}
	if onTimeline != nil {
		targets = append(targets, onTimeline)
	}
	if err := row.Scan(targets...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return a, redress.Errorf(redress.ENOTFOUND, "no such attachment")
		}
		return a, wrap(err)
	}
	a.ID, a.ComplaintID, a.SHA256, a.CreatedAt = id.String(), complaintID.String(), hex.EncodeToString(sum), a.CreatedAt.UTC()
	return a, nil
}

// scanOpenAttachment scans an attachment and opens its name.
func (db *DB) scanOpenAttachment(ctx context.Context, q querier, row pgx.Row, onTimeline *bool) (redress.Attachment, error) {
	a, err := scanAttachment(row, onTimeline)
	if err != nil {
		return a, err
	}
	a.Filename, err = db.open(ctx, q, place("attachments.filename", a.ID), a.Filename)
	return a, err
}

// FileKey is the data key that encrypts a new file of the complaint: its
// customer's. The file's row records whose it is (AddAttachment's
// a.KeyOwner).
func (db *DB) FileKey(ctx context.Context, complaintID string) (*crypt.DataKey, error) {
	k, err := db.complaintKey(ctx, db.pool, complaintID)
	return k, wrap(err)
}

// AttachmentKey is the data key that opens a file's bytes; nil for a file
// stored before encryption at rest. An erased customer's is ErrErased.
func (db *DB) AttachmentKey(ctx context.Context, a redress.Attachment) (*crypt.DataKey, error) {
	if a.KeyOwner == "" {
		return nil, nil
	}
	k, err := db.key(ctx, db.pool, a.KeyOwner)
	return k, wrap(err)
}

// StoredAttachment is an attachment as AddAttachment left it.
type StoredAttachment struct {
	redress.Attachment
	// New is false when the complaint already had the same file under the
	// same name: Attachment is then that one.
	New bool
	// OnTimeline says whether the complaint's timeline records it yet.
	OnTimeline bool
}

// AddAttachment records an attachment whose bytes the object store already
// holds (encrypted with the data key of a.KeyOwner, or clear when that is
// empty), its name sealed, unless the complaint has the same file under the same name. It
// refuses a complaint that takes no more files (ECONFLICT) or already has
// most of them (ETOOLARGE). The complaint's row is locked meanwhile, so two
// uploads at once cannot both take the last place.
func (db *DB) AddAttachment(ctx context.Context, a redress.Attachment, most int) (StoredAttachment, error) {
	complaintID, err := uuid.Parse(a.ComplaintID)
	if err != nil {
		return StoredAttachment{}, redress.Errorf(redress.ENOTFOUND, "no complaint %q", a.ComplaintID)
	}
	sum, err := hex.DecodeString(a.SHA256)
	if err != nil {
		return StoredAttachment{}, err
	}
	var stored StoredAttachment
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var status redress.Status
		err := tx.QueryRow(ctx, `SELECT status FROM complaints WHERE id = $1 FOR NO KEY UPDATE`, complaintID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return redress.Errorf(redress.ENOTFOUND, "no complaint %q", a.ComplaintID)
		}
		if err != nil {
			return err
		}
		if !status.TakesAttachments() {
			return redress.Errorf(redress.ECONFLICT, "the complaint is %s and takes no more attachments", status)
		}
		ix, err := db.indexKey(ctx, tx)
		if err != nil {
			return err
		}
		nameHash := ix.Lookup("filename", a.Filename)
		stored.Attachment, err = db.scanOpenAttachment(ctx, tx, tx.QueryRow(ctx, `SELECT `+attachmentColumns+`, on_timeline FROM attachments
			WHERE complaint_id = $1 AND sha256 = $2 AND filename_hash = $3`, complaintID, sum, nameHash), &stored.OnTimeline)
		if redress.ErrorCode(err) != redress.ENOTFOUND {
			return err // nil: the complaint has the file already
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM attachments WHERE complaint_id = $1`, complaintID).Scan(&count); err != nil {
			return err
		}
		if count >= most {
			return redress.Errorf(redress.ETOOLARGE, "the complaint already has %d attachments, the most it may have", count)
		}
		k, err := db.complaintKey(ctx, tx, a.ComplaintID)
		if err != nil {
			return err
		}
		stored.New = true
		stored.Attachment, err = db.scanOpenAttachment(ctx, tx, tx.QueryRow(ctx, `INSERT INTO attachments
			(id, complaint_id, filename, content_type, size, sha256, sender, made_by, blob_key, key_owner, filename_hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+attachmentColumns,
			a.ID, complaintID, k.Seal(place("attachments.filename", a.ID), a.Filename), a.ContentType, a.Size, sum, a.From, a.By,
			a.BlobKey, nullIfEmpty(a.KeyOwner), nameHash), nil)
		return err
	})
	return stored, wrap(err)
}

// MarkAttachmentOnTimeline records that the complaint's timeline holds the
// attachment's line.
func (db *DB) MarkAttachmentOnTimeline(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `UPDATE attachments SET on_timeline = true WHERE id = $1`, id)
	return wrap(err)
}

// ShareAttachments shares staff files of the complaint with its customer,
// as sent with a reply, and returns their names in the order given. An id
// that names no staff file of the complaint is EINVALID, and nothing is
// shared.
func (db *DB) ShareAttachments(ctx context.Context, complaintID string, ids []string) ([]string, error) {
	cid, err := uuid.Parse(complaintID)
	if err != nil {
		return nil, redress.Errorf(redress.ENOTFOUND, "no complaint %q", complaintID)
	}
	uids := make([]uuid.UUID, len(ids))
	for i, id := range ids {
		if uids[i], err = uuid.Parse(id); err != nil {
			return nil, redress.Invalid(redress.FieldError{Field: "attachments", Message: fmt.Sprintf("%q is not an attachment id", id)})
		}
	}
	var names []string
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE attachments a SET shared = true FROM unnest($2::uuid[]) WITH ORDINALITY AS given (id, n)
			WHERE a.id = given.id AND a.complaint_id = $1 AND a.sender = 'staff' RETURNING a.id, a.filename, given.n`, cid, uids)
		if err != nil {
			return err
		}
		type named struct {
			name string
			n    int64
		}
		o := db.opener(ctx, tx)
		shared, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (named, error) {
			var v named
			var id uuid.UUID
			err := row.Scan(&id, &v.name, &v.n)
			o.text(place("attachments.filename", id), &v.name)
			return v, err
		})
		if err == nil {
			err = o.err
		}
		if err != nil {
			return err
		}
		if len(shared) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
			return redress.Invalid(redress.FieldError{Field: "attachments", Message: "each must be a file staff added to this complaint"})
		}
		slices.SortFunc(shared, func(a, b named) int { return cmp.Compare(a.n, b.n) })
		for _, s := range shared {
			names = append(names, s.name)
		}
		return nil
	})
	return names, wrap(err)
}

// AttachmentOf tells whether the attachment belongs to the complaint, or
// to one merged into it.
func (db *DB) AttachmentOf(ctx context.Context, a redress.Attachment, complaintID string) (bool, error) {
	if a.ComplaintID == complaintID {
		return true, nil
	}
	var merged bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM complaints WHERE id = $1 AND merged_into::text = $2)`,
		a.ComplaintID, complaintID).Scan(&merged)
	return merged, wrap(err)
}

// Attachment reads one attachment's facts.
func (db *DB) Attachment(ctx context.Context, id string) (redress.Attachment, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return redress.Attachment{}, redress.Errorf(redress.ENOTFOUND, "no attachment %q", id)
	}
	a, err := db.scanOpenAttachment(ctx, db.pool, db.pool.QueryRow(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, uid), nil)
	if redress.ErrorCode(err) == redress.ENOTFOUND {
		return a, redress.Errorf(redress.ENOTFOUND, "no attachment %q", id)
	}
	return a, wrap(err)
}

// complaintAttachments lists a complaint's attachments, oldest first, with
// those of the complaints merged into it.
func (db *DB) complaintAttachments(ctx context.Context, q querier, complaintID uuid.UUID) ([]redress.Attachment, error) {
	rows, err := q.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments
		WHERE complaint_id = $1 OR complaint_id IN (SELECT id FROM complaints WHERE merged_into = $1)
		ORDER BY created_at, id`, complaintID)
	if err != nil {
		return nil, wrap(err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Attachment, error) {
		return db.scanOpenAttachment(ctx, q, row, nil)
	})
	if list == nil {
		list = []redress.Attachment{}
	}
	return list, wrap(err)
}
