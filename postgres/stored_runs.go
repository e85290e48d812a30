package postgres

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// nullJSON stores an empty document as NULL, which keeps what was there.
func nullJSON(doc json.RawMessage) any {
	if len(doc) == 0 {
		return nil
	}
	return []byte(doc)
}

// StoredRun is what a complaint's workflow runs from, as PostgreSQL keeps
// it: the policy it was filed under and its bookkeeping after the latest
// step; either is nil for complaints stored before migration 0021.
type StoredRun struct {
	Complaint   *redress.Complaint
	Policy      json.RawMessage
	Bookkeeping json.RawMessage
	Seq         int
}

// StoredRun reads a complaint's stored run.
func (db *DB) StoredRun(ctx context.Context, id string) (*StoredRun, error) {
	c, err := db.Complaint(ctx, id)
	if err != nil {
		return nil, err
	}
	run := &StoredRun{Complaint: c}
	err = db.pool.QueryRow(ctx, `SELECT policy, bookkeeping, seq FROM complaints WHERE id = $1`, id).
		Scan(&run.Policy, &run.Bookkeeping, &run.Seq)
	return run, wrap(err)
}

// StoredPolicy is the policy a complaint was filed under, nil for one
// stored before migration 0021.
func (db *DB) StoredPolicy(ctx context.Context, id string) (json.RawMessage, error) {
	var policy []byte
	err := db.pool.QueryRow(ctx, `SELECT policy FROM complaints WHERE id = $1`, id).Scan(&policy)
	return policy, wrap(err)
}

// OpenStartedComplaints lists, by id and after the id after, up to limit
// open complaints whose workflow was started: the ones whose workflow must
// be running.
func (db *DB) OpenStartedComplaints(ctx context.Context, after string, limit int) ([]string, error) {
	from := uuid.Nil
	if after != "" {
		var err error
		if from, err = uuid.Parse(after); err != nil {
			return nil, redress.Errorf(redress.EINVALID, "bad complaint id %q", after)
		}
	}
	open := make([]string, len(redress.OpenStatuses))
	for i, s := range redress.OpenStatuses {
		open[i] = string(s)
	}
	rows, err := db.pool.Query(ctx, `SELECT id FROM complaints
		WHERE workflow_started AND status = ANY($1) AND id > $2 ORDER BY id LIMIT $3`, open, from, limit)
	if err != nil {
		return nil, wrap(err)
	}
	ids, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		var id uuid.UUID
		err := row.Scan(&id)
		return id.String(), err
	})
	return ids, wrap(err)
}
