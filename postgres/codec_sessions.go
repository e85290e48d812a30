package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// StartCodecSession stores a codec session of the key until expires; the
// expired ones go meanwhile.
func (db *DB) StartCodecSession(ctx context.Context, tokenHash []byte, keyName, keyMark string, expires time.Time) error {
	_, err := db.pool.Exec(ctx, `WITH gone AS (DELETE FROM codec_sessions WHERE expires_at < now())
		INSERT INTO codec_sessions (token_hash, key_name, key_mark, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, keyName, keyMark, expires)
	return wrap(err)
}

// CodecSession is the key name and mark of a live codec session, found by
// its token's hash; found is false for an unknown or expired one.
func (db *DB) CodecSession(ctx context.Context, tokenHash []byte) (keyName, keyMark string, found bool, err error) {
	err = db.pool.QueryRow(ctx, `SELECT key_name, key_mark FROM codec_sessions WHERE token_hash = $1 AND expires_at > now()`,
		tokenHash).Scan(&keyName, &keyMark)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, nil
	}
	return keyName, keyMark, err == nil, wrap(err)
}

// EndCodecSession ends one session.
func (db *DB) EndCodecSession(ctx context.Context, tokenHash []byte) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM codec_sessions WHERE token_hash = $1`, tokenHash)
	return wrap(err)
}

// EndCodecSessions ends every codec session, and reports how many there were.
func (db *DB) EndCodecSessions(ctx context.Context) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM codec_sessions`)
	return tag.RowsAffected(), wrap(err)
}
