package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// RecordCampaign keeps a finished campaign's result; recording it again
// changes nothing.
func (db *DB) RecordCampaign(ctx context.Context, id string, dryRun bool, result json.RawMessage) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO campaigns (id, dry_run, result) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
		id, dryRun, []byte(result))
	return wrap(err)
}

// CampaignResult is a finished campaign's result as recorded; ENOTFOUND
// when none was.
func (db *DB) CampaignResult(ctx context.Context, id string) (json.RawMessage, error) {
	var result []byte
	err := db.pool.QueryRow(ctx, `SELECT result FROM campaigns WHERE id = $1`, id).Scan(&result)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, redress.Errorf(redress.ENOTFOUND, "no campaign %q", id)
	}
	return result, wrap(err)
}
