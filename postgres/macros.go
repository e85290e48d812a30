package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/redress-dev/redress"
)

const macroColumns = `id::text, name, texts, updated_by, updated_at`

func scanMacro(row pgx.Row) (redress.Macro, error) {
	var m redress.Macro
	err := row.Scan(&m.ID, &m.Name, &m.Texts, &m.UpdatedBy, &m.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, redress.Errorf(redress.ENOTFOUND, "no such macro")
	}
	m.UpdatedAt = m.UpdatedAt.UTC()
	return m, macroError(err)
}

// macroError answers a name another macro has as ECONFLICT.
func macroError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return redress.Errorf(redress.ECONFLICT, "another macro has that name")
	}
	return wrap(err)
}

// Macros lists the canned replies by name.
func (db *DB) Macros(ctx context.Context) ([]redress.Macro, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+macroColumns+` FROM macros ORDER BY name`)
	if err != nil {
		return nil, wrap(err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.Macro, error) { return scanMacro(row) })
	if list == nil {
		list = []redress.Macro{}
	}
	return list, err
}

// Macro reads one canned reply.
func (db *DB) Macro(ctx context.Context, id string) (redress.Macro, error) {
	if _, err := uuid.Parse(id); err != nil {
		return redress.Macro{}, redress.Errorf(redress.ENOTFOUND, "no macro %q", id)
	}
	return scanMacro(db.pool.QueryRow(ctx, `SELECT `+macroColumns+` FROM macros WHERE id = $1`, id))
}

// SaveMacro stores a checked canned reply: a new one when its id is
// empty, else it replaces that one.
func (db *DB) SaveMacro(ctx context.Context, m redress.Macro, by string) (redress.Macro, error) {
	if m.ID == "" {
		return scanMacro(db.pool.QueryRow(ctx, `INSERT INTO macros (id, name, texts, updated_by) VALUES ($1, $2, $3, $4)
			RETURNING `+macroColumns, uuid.Must(uuid.NewV7()), m.Name, m.Texts, by))
	}
	if _, err := uuid.Parse(m.ID); err != nil {
		return redress.Macro{}, redress.Errorf(redress.ENOTFOUND, "no macro %q", m.ID)
	}
	return scanMacro(db.pool.QueryRow(ctx, `UPDATE macros SET name = $2, texts = $3, updated_by = $4, updated_at = now()
		WHERE id = $1 RETURNING `+macroColumns, m.ID, m.Name, m.Texts, by))
}

// DeleteMacro removes a canned reply.
func (db *DB) DeleteMacro(ctx context.Context, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return redress.Errorf(redress.ENOTFOUND, "no macro %q", id)
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM macros WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		return redress.Errorf(redress.ENOTFOUND, "no macro %q", id)
	}
	return wrap(err)
}
