package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// auditLock serialises the audit log's appends, so that each line is
// chained to the one before it.
const auditLock = 0x4155_4449_544c_4f47 // "AUDITLOG"

// Audit appends a line to the audit log in a transaction of its own: for
// reads, which change nothing else. A caller that cannot write the line
// must not hand out what it was for.
func (db *DB) Audit(ctx context.Context, l redress.AuditLine) error {
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return appendAudit(ctx, tx, l) }))
}

// appendAudit appends a line in the caller's transaction, so that the line
// stands or falls with the change it records.
func appendAudit(ctx context.Context, tx pgx.Tx, l redress.AuditLine) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLock)); err != nil {
		return err
	}
	prev := []byte{}
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&l.Seq, &prev)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	l.Seq++
	l.At = time.Now().UTC().Truncate(time.Microsecond)
	if l.Detail == nil {
		l.Detail = map[string]any{}
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.Seq, l.At, l.Actor, l.Action, l.Target, l.Detail, prev, redress.AuditHash(prev, l))
	return err
}

// AuditFilter selects audit lines; empty fields do not filter.
type AuditFilter struct {
	Actor, Action, Target string
	From, To              *time.Time
	Before                int64 // the page's end: lines with a smaller seq (keyset)
	Limit                 int
}

// AuditLog lists audit lines newest first; next is the seq to ask for the
// next page before, 0 on the last page.
func (db *DB) AuditLog(ctx context.Context, f AuditFilter) (lines []redress.AuditLine, next int64, err error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	for column, value := range map[string]string{"actor": f.Actor, "action": f.Action, "target": f.Target} {
		if value != "" {
			where = append(where, column+" = "+arg(value))
		}
	}
	if f.From != nil {
		where = append(where, "at >= "+arg(*f.From))
	}
	if f.To != nil {
		where = append(where, "at < "+arg(*f.To))
	}
	if f.Before > 0 {
		where = append(where, "seq < "+arg(f.Before))
	}
	q := `SELECT seq, at, actor, action, target, detail FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq DESC LIMIT " + arg(f.Limit+1)
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, wrap(err)
	}
	lines, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.AuditLine, error) {
		var l redress.AuditLine
		err := row.Scan(&l.Seq, &l.At, &l.Actor, &l.Action, &l.Target, &l.Detail)
		l.At = l.At.UTC()
		return l, err
	})
	if err != nil {
		return nil, 0, wrap(err)
	}
	if len(lines) > f.Limit {
		lines = lines[:f.Limit]
		next = lines[len(lines)-1].Seq
	}
	if lines == nil {
		lines = []redress.AuditLine{}
	}
	return lines, next, nil
}

// AuditBreak is where the audit log's chain breaks.
type AuditBreak struct {
	Seq    int64
	Reason string
}

// VerifyAudit walks the audit log in order and recomputes each line's
// hash: it returns how many lines it checked and, when the chain breaks,
// where (a line changed, or one missing: a gap in seq).
func (db *DB) VerifyAudit(ctx context.Context) (int64, *AuditBreak, error) {
	rows, err := db.pool.Query(ctx, `SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, nil, wrap(err)
	}
	defer rows.Close()
	var checked int64
	prev := []byte{}
	for rows.Next() {
		var l redress.AuditLine
		var storedPrev, hash []byte
		if err := rows.Scan(&l.Seq, &l.At, &l.Actor, &l.Action, &l.Target, &l.Detail, &storedPrev, &hash); err != nil {
			return checked, nil, wrap(err)
		}
		switch {
		case l.Seq != checked+1:
			return checked, &AuditBreak{Seq: checked + 1, Reason: fmt.Sprintf("line %d is missing (the next is %d)", checked+1, l.Seq)}, nil
		case !bytes.Equal(storedPrev, prev) || !bytes.Equal(hash, redress.AuditHash(prev, l)):
			return checked, &AuditBreak{Seq: l.Seq, Reason: fmt.Sprintf("line %d was changed", l.Seq)}, nil
		}
		checked, prev = l.Seq, hash
	}
	return checked, nil, wrap(rows.Err())
}

// RecordKeys appends a key change to the audit log when the API keys a
// process starts with differ from those the last one recorded: fingerprint
// names each key with its role and a mark of its secret, never the secret.
func (db *DB) RecordKeys(ctx context.Context, fingerprint string) error {
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLock)); err != nil {
			return err
		}
		var last string
		err := tx.QueryRow(ctx, `SELECT detail->>'keys' FROM audit_log WHERE action = $1 AND target = 'api_keys'
			ORDER BY seq DESC LIMIT 1`, redress.AuditKeyChange).Scan(&last)
		if err == nil && last == fingerprint {
			return nil
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return appendAudit(ctx, tx, redress.AuditLine{Actor: redress.BySystem, Action: redress.AuditKeyChange, Target: "api_keys",
			Detail: map[string]any{"keys": fingerprint}})
	}))
}
