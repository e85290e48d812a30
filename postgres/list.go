package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
)

// ComplaintFilter selects complaints for the list endpoint. Empty fields do
// not filter.
type ComplaintFilter struct {
	Status     redress.Status
	Priority   redress.Priority
	Category   redress.Category
	CustomerID string
	FiledBy    string // only the complaints this caller filed (an intake key's reads)
	Escalated  *bool
	Breached   *bool
	Limit      int
	Cursor     string // opaque; from the previous page's next cursor
}

// cursor is where a page ended: the last complaint's sort key.
type cursor struct {
	CreatedAt time.Time `json:"t"`
	ID        uuid.UUID `json:"i"`
}

// decodeCursor checks that a cursor is one this store handed out.
func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == uuid.Nil {
		return nil, &redress.Error{Code: redress.EINVALID, Message: "the cursor is not one this API returned",
			Fields: []redress.FieldError{{Field: "cursor", Message: "not a cursor from a previous page"}}}
	}
	return &c, nil
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Complaints lists complaints newest first, one page at a time (keyset
// pagination, so pages stay stable while new complaints arrive). The items
// carry no timeline. next is empty on the last page.
func (db *DB) Complaints(ctx context.Context, f ComplaintFilter) (items []redress.Complaint, next string, err error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Priority != "" {
		where = append(where, "priority = "+arg(f.Priority))
	}
	if f.Category != "" {
		where = append(where, "category = "+arg(f.Category))
	}
	if f.FiledBy != "" {
		where = append(where, "filed_by = "+arg(f.FiledBy))
	}
	if f.CustomerID != "" {
		id, err := uuid.Parse(f.CustomerID)
		if err != nil {
			return []redress.Complaint{}, "", nil // no customer has such an id
		}
		where = append(where, "customer_id = "+arg(id))
	}
	if f.Escalated != nil {
		if *f.Escalated {
			where = append(where, "escalation_level > 0")
		} else {
			where = append(where, "escalation_level = 0")
		}
	}
	if f.Breached != nil {
		where = append(where, "sla_breached = "+arg(*f.Breached))
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, fmt.Sprintf("(created_at, id) < (%s, %s)", arg(c.CreatedAt), arg(c.ID)))
	}
	q := `SELECT ` + complaintColumns + ` FROM complaints`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + arg(f.Limit+1)
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", wrap(err)
	}
	defer rows.Close()
	items = []redress.Complaint{}
	for rows.Next() {
		c, err := db.scanComplaint(ctx, db.pool, rows)
		if err != nil {
			return nil, "", err
		}
		items = append(items, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", wrap(err)
	}
	if len(items) > f.Limit {
		items = items[:f.Limit]
		last := items[len(items)-1]
		next = cursor{CreatedAt: last.CreatedAt, ID: uuid.MustParse(last.ID)}.encode()
	}
	return items, next, nil
}
