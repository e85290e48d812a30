package postgres

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// RecordMerge records that the duplicate goes on in the complaint into,
// before either workflow takes its step. Both rows are locked in the order
// of their ids, so two merges that cross each other (A into B, B into A)
// wait for one another instead of deadlocking, and the second is refused:
// a complaint merged away keeps nothing, and one kept cannot be merged
// away into its own duplicate. Recording the same merge again succeeds,
// so a merge cut off midway is finished by its retry. It refuses
// (ECONFLICT) complaints of two customers, a status that merges no more,
// a duplicate merged into another complaint already, and a kept complaint
// that is itself merged away; an unknown complaint is ENOTFOUND.
func (db *DB) RecordMerge(ctx context.Context, duplicateID, intoID, by string) error {
	dup, err := uuid.Parse(duplicateID)
	if err != nil {
		return redress.Errorf(redress.ENOTFOUND, "no complaint %q", duplicateID)
	}
	into, err := uuid.Parse(intoID)
	if err != nil {
		return redress.Errorf(redress.ENOTFOUND, "no complaint %q", intoID)
	}
	if dup == into {
		return redress.Invalid(redress.FieldError{Field: "into", Message: "must be another complaint than the one merged"})
	}
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		type locked struct {
			customer uuid.UUID
			status   redress.Status
		}
		rows, err := tx.Query(ctx, `SELECT id, customer_id, status FROM complaints WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
			[]uuid.UUID{dup, into})
		if err != nil {
			return err
		}
		found := map[uuid.UUID]locked{}
		var id uuid.UUID
		var row locked
		if _, err := pgx.ForEachRow(rows, []any{&id, &row.customer, &row.status}, func() error {
			found[id] = row
			return nil
		}); err != nil {
			return err
		}
		for _, want := range []uuid.UUID{dup, into} {
			if _, ok := found[want]; !ok {
				return redress.Errorf(redress.ENOTFOUND, "no complaint %q", want)
			}
		}
		var already uuid.UUID
		err = tx.QueryRow(ctx, `SELECT into_id FROM complaint_merges WHERE duplicate_id = $1`, dup).Scan(&already)
		switch {
		case err == nil && already == into:
			return nil // the same merge again: its steps are finished by the caller
		case err == nil:
			return redress.Errorf(redress.ECONFLICT, "the complaint is already merged into complaint %s", already)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT into_id FROM complaint_merges WHERE duplicate_id = $1`, into).Scan(&already); err == nil {
			return redress.Errorf(redress.ECONFLICT, "complaint %s is itself merged into complaint %s; merge into that one", into, already)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if found[dup].customer != found[into].customer {
			return redress.Errorf(redress.ECONFLICT, "the complaints belong to different customers; merge the customers first")
		}
		for _, c := range []uuid.UUID{dup, into} {
			if s := found[c].status; !slices.Contains(redress.ActionMerge.AllowedIn(), s) {
				return redress.Errorf(redress.ECONFLICT, "cannot merge complaint %s whose status is %s", c, s)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO complaint_merges (duplicate_id, into_id, made_by) VALUES ($1, $2, $3)`, dup, into, by); err != nil {
			return err
		}
		return appendAudit(ctx, tx, redress.AuditLine{Actor: by, Action: redress.AuditMergeComplaints, Target: "complaint:" + dup.String(),
			Detail: map[string]any{"into": into.String()}})
	}))
}
