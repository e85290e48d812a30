package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/redress-dev/redress"
)

// SealReport counts what one pass of SealOlderRows changed.
type SealReport struct {
	Customers, Complaints, Lines, Events, Changes, Notes, Files, Rewrapped int
}

// Total is every row the pass changed.
func (r SealReport) Total() int {
	return r.Customers + r.Complaints + r.Lines + r.Events + r.Changes + r.Notes + r.Files + r.Rewrapped
}

func (r SealReport) String() string {
	return fmt.Sprintf("%d customers, %d complaints, %d timeline lines, %d events, %d change records, %d notes, %d file names sealed; %d keys re-wrapped",
		r.Customers, r.Complaints, r.Lines, r.Events, r.Changes, r.Notes, r.Files, r.Rewrapped)
}

// sealBatch is how many rows one transaction of the sealing job takes.
const sealBatch = 500

// SealOlderRows seals the personal data written before encryption at rest
// (migration 0033) and re-wraps the data keys wrapped by a key that is no
// longer the first of REDRESS_DATA_KEYS, in batches of one short
// transaction each, while the service runs. Each table is walked once in
// key order; a row a request changes meanwhile is written sealed by that
// request. It is safe to run in several processes at once and to cut off:
// a later pass finds what is left. progress, if set, hears after each batch.
func (db *DB) SealOlderRows(ctx context.Context, progress func(SealReport)) (SealReport, error) {
	var r SealReport
	steps := []struct {
		count *int
		step  func(context.Context, pgx.Tx, string) (int, string, error)
	}{
		{&r.Rewrapped, db.rewrapBatch},
		{&r.Customers, db.sealCustomerBatch},
		{&r.Complaints, db.sealComplaintBatch},
		{&r.Lines, db.sealTimelineBatch},
		{&r.Events, db.sealOutboxBatch},
		{&r.Changes, db.sealChangeBatch},
		{&r.Notes, db.sealNoteBatch},
		{&r.Files, db.sealFilenameBatch},
	}
	for _, s := range steps {
		after := ""
		for {
			var n int
			var last string
			err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
				var err error
				n, last, err = s.step(ctx, tx, after)
				return err
			})
			if err != nil {
				return r, wrap(err)
			}
			*s.count += n
			if progress != nil && n > 0 {
				progress(r)
			}
			if last == "" {
				break
			}
			after = last
		}
	}
	return r, nil
}

// notSealed tells a value written before encryption at rest.
const notSealed = `NOT LIKE 'enc1.%'`

// rewrapBatch re-wraps data keys wrapped by another key than the current
// one; last is "" when none is left.
func (db *DB) rewrapBatch(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	ring := db.vault.ring
	if ring == nil {
		return 0, "", errNoKeyring
	}
	n := 0
	// Redress's own keys first (the index's, the webhooks'): a few rows.
	if after == "" {
		rows, err := tx.Query(ctx, `SELECT name, kek_id, wrapped FROM data_keys WHERE kek_id <> $1 ORDER BY name FOR UPDATE`, ring.Current())
		if err != nil {
			return 0, "", err
		}
		type named struct {
			name, kekID string
			wrapped     []byte
		}
		keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (named, error) {
			var k named
			return k, row.Scan(&k.name, &k.kekID, &k.wrapped)
		})
		if err != nil {
			return 0, "", err
		}
		for _, k := range keys {
			if err := db.rewrap(ctx, tx, "data_keys", "name", k.name, k.name, k.kekID, k.wrapped); err != nil {
				return 0, "", err
			}
			n++
		}
	}
	rows, err := tx.Query(ctx, `SELECT customer_id::text, kek_id, wrapped FROM customer_keys
		WHERE kek_id IS NOT NULL AND kek_id <> $1 AND customer_id > $2 ORDER BY customer_id LIMIT $3 FOR UPDATE`,
		ring.Current(), uuidAfter(after), sealBatch)
	if err != nil {
		return 0, "", err
	}
	type wrappedKey struct {
		owner, kekID string
		wrapped      []byte
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (wrappedKey, error) {
		var k wrappedKey
		return k, row.Scan(&k.owner, &k.kekID, &k.wrapped)
	})
	if err != nil {
		return 0, "", err
	}
	for _, k := range keys {
		if err := db.rewrap(ctx, tx, "customer_keys", "customer_id", k.owner, k.owner, k.kekID, k.wrapped); err != nil {
			return 0, "", err
		}
	}
	return n + len(keys), lastOf(keys, func(k wrappedKey) string { return k.owner }), nil
}

func (db *DB) rewrap(ctx context.Context, tx pgx.Tx, table, idColumn, id, owner, kekID string, wrapped []byte) error {
	ring := db.vault.ring
	secret, err := ring.Unwrap(cryptWrapped(kekID, wrapped), owner)
	if err != nil {
		return err
	}
	w, err := ring.Wrap(secret, owner)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE `+table+` SET kek_id = $2, wrapped = $3 WHERE `+idColumn+` = $1`, id, w.KeyID, w.Bytes)
	return err
}

// uuidAfter is where a walk in uuid order resumes: the start for "".
func uuidAfter(after string) string {
	if after == "" {
		return uuid.Nil.String()
	}
	return after
}

// numberAfter is where a walk in id order resumes.
func numberAfter(after string) string {
	if after == "" {
		return "0"
	}
	return after
}

// lastOf is the key of a full batch's last row, or "" for a short batch:
// the table is done.
func lastOf[T any](batch []T, key func(T) string) string {
	if len(batch) < sealBatch {
		return ""
	}
	return key(batch[len(batch)-1])
}

// sealCustomerBatch seals customers that have no search grams: those
// written before encryption at rest. Their clear match keys become keyed
// hashes; one that another customer's hash holds already (two clear keys
// that normalise alike) is given up, as migration 0004 gave up shared
// addresses.
func (db *DB) sealCustomerBatch(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	rows, err := tx.Query(ctx, `SELECT `+customerColumns+`, email_key IS NOT NULL, phone_key IS NOT NULL FROM customers
		WHERE search_grams IS NULL AND id > $1 ORDER BY id LIMIT $2 FOR NO KEY UPDATE`, uuidAfter(after), sealBatch)
	if err != nil {
		return 0, "", err
	}
	type older struct {
		c                  redress.Customer
		emailKey, phoneKey bool
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (older, error) {
		var o older
		var uid uuid.UUID
		err := row.Scan(append(customerFields(&o.c, &uid), &o.emailKey, &o.phoneKey)...)
		o.c.ID = uid.String()
		return o, err
	})
	if err != nil {
		return 0, "", err
	}
	for _, o := range batch {
		if err := db.openCustomer(ctx, tx, &o.c); err != nil {
			return 0, "", err
		}
		sealed, err := db.sealCustomer(ctx, tx, o.c)
		if err != nil {
			return 0, "", err
		}
		update := func(emailKey, phoneKey bool) error {
			return pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
				_, err := sp.Exec(ctx, `UPDATE customers SET name = $2, email = $3, phone = $4, email_hash = nullif($5, ''),
						email_key = CASE WHEN $7 THEN nullif($5, '') END, phone_key = CASE WHEN $8 THEN nullif($6, '') END,
						search_grams = $9
					WHERE id = $1`, o.c.ID, sealed.name, sealed.email, sealed.phone, sealed.emailHash, sealed.phoneHash,
					emailKey, phoneKey, sealed.grams)
				return err
			})
		}
		err = update(o.emailKey, o.phoneKey)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			err = update(false, false)
		}
		if err != nil {
			return 0, "", err
		}
	}
	return len(batch), lastOf(batch, func(o older) string { return o.c.ID }), nil
}

// sealComplaintBatch seals complaints that have no search grams.
func (db *DB) sealComplaintBatch(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	rows, err := tx.Query(ctx, `SELECT `+complaintColumns+` FROM complaints
		WHERE search_grams IS NULL AND id > $1 ORDER BY id LIMIT $2 FOR NO KEY UPDATE`, uuidAfter(after), sealBatch)
	if err != nil {
		return 0, "", err
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*redress.Complaint, error) { return scanComplaint(row) })
	if err != nil {
		return 0, "", err
	}
	for _, c := range batch {
		o := db.opener(ctx, tx)
		o.text(place("complaints.subject", c.ID), &c.Subject)
		o.text(place("complaints.description", c.ID), &c.Description)
		o.text(place("complaints.survey.comment", c.ID), &c.Survey.Comment)
		if c.Resolution != nil {
			o.text(place("complaints.resolution.summary", c.ID), &c.Resolution.Summary)
		}
		if o.err != nil {
			return 0, "", o.err
		}
		sealed, err := db.sealComplaint(ctx, tx, *c)
		if err != nil {
			return 0, "", err
		}
		if _, err := tx.Exec(ctx, `UPDATE complaints SET subject = $2, description = $3, resolution = nullif($4::jsonb, 'null'),
				survey = $5, search_grams = $6 WHERE id = $1`,
			c.ID, sealed.subject, sealed.description, sealed.resolution, sealed.survey, sealed.grams); err != nil {
			return 0, "", err
		}
	}
	return len(batch), lastOf(batch, func(c *redress.Complaint) string { return c.ID }), nil
}

// sealTimelineBatch seals timeline lines written in clear. Lines are never
// changed once written, so no lock is needed.
func (db *DB) sealTimelineBatch(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	fromComplaint, fromSeq, _ := strings.Cut(after, "/")
	if fromSeq == "" {
		fromSeq = "0"
	}
	rows, err := tx.Query(ctx, `SELECT t.complaint_id::text, t.seq, t.detail, c.customer_id::text
		FROM timeline t JOIN complaints c ON c.id = t.complaint_id
		WHERE t.detail <> '' AND t.detail `+notSealed+` AND (t.complaint_id, t.seq) > ($1, $2::int)
		ORDER BY t.complaint_id, t.seq LIMIT $3`, uuidAfter(fromComplaint), fromSeq, sealBatch)
	if err != nil {
		return 0, "", err
	}
	type line struct {
		complaint, detail, customer string
		seq                         int
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (line, error) {
		var l line
		return l, row.Scan(&l.complaint, &l.seq, &l.detail, &l.customer)
	})
	if err != nil {
		return 0, "", err
	}
	for _, l := range batch {
		k, err := db.key(ctx, tx, l.customer)
		if err != nil {
			return 0, "", err
		}
		if _, err := tx.Exec(ctx, `UPDATE timeline SET detail = $3 WHERE complaint_id = $1 AND seq = $2 AND detail = $4`,
			l.complaint, l.seq, k.Seal(place("timeline.detail", l.complaint, l.seq), l.detail), l.detail); err != nil {
			return 0, "", err
		}
	}
	return len(batch), lastOf(batch, func(l line) string { return l.complaint + "/" + strconv.Itoa(l.seq) }), nil
}

// sealOutboxBatch seals the data of events written in clear, delivered or
// not: the data of an event of no customer stays as it is.
func (db *DB) sealOutboxBatch(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	rows, err := tx.Query(ctx, `SELECT o.id, o.type, coalesce(o.customer_id, c.customer_id)::text, o.data
		FROM outbox o LEFT JOIN complaints c ON c.id = o.complaint_id
		WHERE jsonb_typeof(o.data) = 'object' AND o.data <> '{}' AND coalesce(o.customer_id, c.customer_id) IS NOT NULL
			AND o.id > $1
		ORDER BY o.id LIMIT $2`, after, sealBatch)
	if err != nil {
		return 0, "", err
	}
	type event struct {
		e    redress.Event
		data []byte
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (event, error) {
		var v event
		return v, row.Scan(&v.e.ID, &v.e.Type, &v.e.CustomerID, &v.data)
	})
	if err != nil {
		return 0, "", err
	}
	for _, v := range batch {
		if err := json.Unmarshal(v.data, &v.e.Data); err != nil {
			return 0, "", err
		}
		sealed, err := db.sealEvent(ctx, tx, v.e)
		if err != nil {
			return 0, "", err
		}
		if _, err := tx.Exec(ctx, `UPDATE outbox SET data = $2 WHERE id = $1 AND jsonb_typeof(data) = 'object'`, v.e.ID, sealed); err != nil {
			return 0, "", err
		}
	}
	return len(batch), lastOf(batch, func(v event) string { return v.e.ID }), nil
}

// sealChangeBatch seals customers' change records written in clear.
func (db *DB) sealChangeBatch(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	rows, err := tx.Query(ctx, `SELECT id, customer_id::text, fields FROM customer_changes
		WHERE jsonb_typeof(fields) = 'object' AND id > $1::bigint ORDER BY id LIMIT $2`, numberAfter(after), sealBatch)
	if err != nil {
		return 0, "", err
	}
	type change struct {
		id       int64
		customer string
		fields   map[string]redress.FieldChange
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (change, error) {
		var c change
		return c, row.Scan(&c.id, &c.customer, &c.fields)
	})
	if err != nil {
		return 0, "", err
	}
	for _, c := range batch {
		sealed, err := db.sealJSON(ctx, tx, c.customer, place("customer_changes.fields", c.id), c.fields)
		if err != nil {
			return 0, "", err
		}
		if _, err := tx.Exec(ctx, `UPDATE customer_changes SET fields = $2 WHERE id = $1`, c.id, sealed); err != nil {
			return 0, "", err
		}
	}
	return len(batch), lastOf(batch, func(c change) string { return strconv.FormatInt(c.id, 10) }), nil
}

// sealNoteBatch seals notes about customers written in clear.
func (db *DB) sealNoteBatch(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	rows, err := tx.Query(ctx, `SELECT id, customer_id::text, note FROM customer_notes
		WHERE note `+notSealed+` AND id > $1::bigint ORDER BY id LIMIT $2`, numberAfter(after), sealBatch)
	if err != nil {
		return 0, "", err
	}
	type note struct {
		id             int64
		customer, text string
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (note, error) {
		var n note
		return n, row.Scan(&n.id, &n.customer, &n.text)
	})
	if err != nil {
		return 0, "", err
	}
	for _, n := range batch {
		k, err := db.key(ctx, tx, n.customer)
		if err != nil {
			return 0, "", err
		}
		if _, err := tx.Exec(ctx, `UPDATE customer_notes SET note = $2 WHERE id = $1`,
			n.id, k.Seal(place("customer_notes.note", n.id), n.text)); err != nil {
			return 0, "", err
		}
	}
	return len(batch), lastOf(batch, func(n note) string { return strconv.FormatInt(n.id, 10) }), nil
}

// sealFilenameBatch seals the names of files recorded in clear and gives
// them the keyed hash that tells the same file under the same name. The
// bytes are the attachment store's to encrypt (OlderFiles).
func (db *DB) sealFilenameBatch(ctx context.Context, tx pgx.Tx, after string) (int, string, error) {
	rows, err := tx.Query(ctx, `SELECT a.id::text, a.filename, c.customer_id::text FROM attachments a JOIN complaints c ON c.id = a.complaint_id
		WHERE a.filename_hash IS NULL AND a.id > $1 ORDER BY a.id LIMIT $2 FOR NO KEY UPDATE OF a`, uuidAfter(after), sealBatch)
	if err != nil {
		return 0, "", err
	}
	type file struct{ id, name, customer string }
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (file, error) {
		var f file
		return f, row.Scan(&f.id, &f.name, &f.customer)
	})
	if err != nil {
		return 0, "", err
	}
	ix, err := db.indexKey(ctx, tx)
	if err != nil {
		return 0, "", err
	}
	for _, f := range batch {
		k, err := db.key(ctx, tx, f.customer)
		if err != nil {
			return 0, "", err
		}
		if _, err := tx.Exec(ctx, `UPDATE attachments SET filename = $2, filename_hash = $3 WHERE id = $1`,
			f.id, k.Seal(place("attachments.filename", f.id), f.name), ix.Lookup("filename", f.name)); err != nil {
			return 0, "", err
		}
	}
	return len(batch), lastOf(batch, func(f file) string { return f.id }), nil
}
