package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/codec"
	"github.com/redress-dev/redress/crypt"
)

// PayloadOwner is the customer whose data key encrypts a workflow's
// payloads in Temporal (codec.Keys): a win-back's customer, a complaint's
// customer when it was filed (a merge moves the complaint, not its
// history's key; erasing the customer kept destroys both keys); "" for
// other workflows.
func (db *DB) PayloadOwner(ctx context.Context, workflowID string) (string, error) {
	if id, ok := strings.CutPrefix(workflowID, "winback-"); ok {
		if _, err := uuid.Parse(id); err == nil {
			return id, nil
		}
	}
	id, ok := strings.CutPrefix(workflowID, "complaint-")
	if !ok || uuid.Validate(id) != nil {
		return "", nil
	}
	v := db.vault
	v.mu.Lock()
	owner, found := v.owners[id]
	v.mu.Unlock()
	if found {
		return owner, nil
	}
	err := db.pool.QueryRow(ctx, `SELECT customer_id::text FROM complaints WHERE id = $1`, id).Scan(&owner)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", redress.Errorf(redress.ENOTFOUND, "no complaint %q", id)
	}
	if err != nil {
		return "", wrap(err)
	}
	v.mu.Lock()
	if len(v.owners) >= keyCacheSize {
		clear(v.owners)
	}
	v.owners[id] = owner
	v.mu.Unlock()
	return owner, nil
}

// PayloadKey is a customer's data key for the codec; fresh reads it from
// the database, not the cache. A destroyed key is codec.ErrErased.
func (db *DB) PayloadKey(ctx context.Context, customerID string, fresh bool) (*crypt.DataKey, error) {
	if db.vault.ring == nil {
		return nil, errNoKeyring
	}
	var k *crypt.DataKey
	var err error
	if fresh {
		k, _, err = db.loadKey(ctx, db.pool, customerID)
	} else {
		k, err = db.key(ctx, db.pool, customerID)
	}
	if errors.Is(err, ErrErased) {
		return nil, codec.ErrErased
	}
	return k, wrap(err)
}
