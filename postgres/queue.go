package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/crypt"
)

// The console's queues.
const (
	QueueMine       = "mine"       // assigned to the viewer
	QueueUnassigned = "unassigned" // assigned to no one
	QueueBreaching  = "breaching"  // a deadline inside the policy's warning share, or past
	QueueEscalated  = "escalated"  // above the agent level
	QueueWaiting    = "waiting"    // waiting on the customer
	QueueOpen       = "open"       // every open complaint
)

// Queues lists the queues.
var Queues = []string{QueueMine, QueueUnassigned, QueueBreaching, QueueEscalated, QueueWaiting, QueueOpen}

// QueueQuery selects one page of a queue. Empty filters do not filter.
type QueueQuery struct {
	Queue string
	// Assignee is whose queue "mine" is: the viewer's e-mail.
	Assignee string
	// BreachingBy holds, per SLA row, where "breaching soon" ends (see
	// breachingSoon); none: no complaint is breaching soon.
	BreachingBy map[string]redress.Horizon
	Priority    redress.Priority
	Category    redress.Category
	Channel     redress.Channel
	Tier        redress.Tier
	Level       *int // escalation level
	// Search matches any part of the subject, description, order reference,
	// or the customer's name or e-mail, ignoring case; it needs three
	// characters, or one Chinese, Japanese or Korean (crypt.SearchGrams).
	Search string
	Limit  int    // 50 when zero, at most 200
	Cursor string // opaque; from the previous page
}

// QueueItem is one row of a queue: the complaint with its customer's name
// and tier.
type QueueItem struct {
	ID              string
	Subject         string
	Status          redress.Status
	Priority        redress.Priority
	Category        redress.Category
	Channel         redress.Channel
	Severity        redress.Severity
	EscalationLevel int
	SLABreached     bool
	Assignee        string
	CreatedAt       time.Time
	AckDueAt        *time.Time
	ResolveDueAt    *time.Time
	ResolvePausedAt *time.Time
	CustomerName    string
	Tier            redress.Tier
	// PossibleDuplicate: the complaint was flagged as repeating one of
	// its customer's.
	PossibleDuplicate bool
	// SLARow is the row of SLA windows its clocks keep (redress.SLARowOf).
	SLARow string
}

// openComplaint is the predicate of the queue indexes, written as they
// are so that the planner uses them.
const openComplaint = `c.status IN ('received', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened')`

// queueCursor is where a queue's page ended: the last complaint's next
// deadline (nil for none, which sorts last) and id.
type queueCursor struct {
	Due *time.Time `json:"d"`
	ID  uuid.UUID  `json:"i"`
}

func (k queueCursor) encode() string {
	b, _ := json.Marshal(k)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeQueueCursor(s string) (queueCursor, error) {
	var k queueCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &k)
	}
	if err != nil || k.ID == uuid.Nil {
		return k, redress.Invalid(redress.FieldError{Field: "cursor", Message: "not a cursor from a previous page of this queue"})
	}
	return k, nil
}

// due is the cursor's deadline as the next_due_at column holds it.
func (k queueCursor) due() pgtype.Timestamptz {
	if k.Due == nil {
		return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	return pgtype.Timestamptz{Time: *k.Due, Valid: true}
}

// Queue reads one page of a queue: open complaints, the next deadline
// first, then by id; complaints with no running deadline last. Each page
// starts after the last row of the one before (keyset pages), so
// complaints filed meanwhile do not shift the pages. next is empty on the
// last page.
//
// The texts are sealed, so a search finds its candidates by the keyed
// hashes of its grams (an index of every complaint's and customer's) and
// keeps those whose opened texts do contain it; when that leaves a page
// short, the queue is read on from the last candidate.
func (db *DB) Queue(ctx context.Context, q QueueQuery) (items []QueueItem, next string, err error) {
	var grams []int32
	if q.Search != "" {
		ix, err := db.indexKey(ctx, db.pool)
		if err != nil {
			return nil, "", wrap(err)
		}
		if grams, err = ix.SearchGrams(q.Search); err != nil {
			return nil, "", redress.Invalid(redress.FieldError{Field: "search", Message: err.Error()})
		}
	}
	items = []QueueItem{}
	var last queueCursor
	for {
		sql, args, limit, err := queueSQL(q, grams)
		if err != nil {
			return nil, "", err
		}
		page, read, err := db.queueRows(ctx, sql, args, q.Search)
		if err != nil {
			return nil, "", err
		}
		for _, row := range page {
			if len(items) == limit {
				return items, last.encode(), nil
			}
			if row.matches {
				items = append(items, row.item)
				last = row.at
			}
		}
		if len(page) <= limit {
			return items, "", nil
		}
		q.Cursor = read.encode()
	}
}

// queueRow is one row of a queue's query: the item, where it stands in the
// queue, and whether it holds the search.
type queueRow struct {
	item    QueueItem
	at      queueCursor
	matches bool
}

// queueRows runs one query of a queue, opening its texts; read is where
// its last row stands.
func (db *DB) queueRows(ctx context.Context, sql string, args []any, search string) (page []queueRow, read queueCursor, err error) {
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, read, wrap(err)
	}
	defer rows.Close()
	o := db.opener(ctx, db.pool)
	for rows.Next() {
		var r queueRow
		it := &r.item
		var id, customerID uuid.UUID
		var due *time.Time
		var description, orderRef, email string
		if err := rows.Scan(&id, &it.Subject, &it.Status, &it.Priority, &it.Category, &it.Channel, &it.Severity,
			&it.EscalationLevel, &it.SLABreached, &it.Assignee, &it.CreatedAt, &it.AckDueAt, &it.ResolveDueAt,
			&it.ResolvePausedAt, &due, &it.CustomerName, &it.Tier, &it.PossibleDuplicate,
			&customerID, &description, &orderRef, &email, &it.SLARow); err != nil {
			return nil, read, wrap(err)
		}
		it.ID = id.String()
		utc(&it.CreatedAt)
		for _, t := range []*time.Time{it.AckDueAt, it.ResolveDueAt, it.ResolvePausedAt} {
			utc(t)
		}
		o.text(place("complaints.subject", it.ID), &it.Subject)
		o.text(place("customers.name", customerID), &it.CustomerName)
		r.matches = search == ""
		if !r.matches {
			o.text(place("complaints.description", it.ID), &description)
			o.text(place("customers.email", customerID), &email)
			for _, text := range []string{it.Subject, description, orderRef, it.CustomerName, email} {
				r.matches = r.matches || crypt.Contains(text, search)
			}
		}
		r.at = queueCursor{Due: due, ID: id}
		read = r.at
		page = append(page, r)
	}
	if err := rows.Err(); err != nil {
		return nil, read, wrap(err)
	}
	return page, read, wrap(o.err)
}

// queueSQL is the query of one page of a queue, with its arguments and its
// page size; it fetches one row more, to tell whether a next page exists.
func queueSQL(q QueueQuery, grams []int32) (sql string, args []any, limit int, err error) {
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := []string{openComplaint}
	switch q.Queue {
	case QueueMine:
		if q.Assignee == "" {
			return "", nil, 0, redress.Errorf(redress.EINVALID, "the queue %q needs the viewer as assignee", QueueMine)
		}
		where = append(where, "c.assignee = "+arg(q.Assignee))
	case QueueUnassigned:
		where = append(where, "c.assignee = ''")
	case QueueBreaching:
		where = append(where, breachingSoon(q.BreachingBy, arg))
	case QueueEscalated:
		where = append(where, "c.escalation_level > 0")
	case QueueWaiting:
		where = append(where, "c.status = 'waiting_on_customer'")
	case QueueOpen:
	default:
		return "", nil, 0, redress.Errorf(redress.ENOTFOUND, "no queue %q; the queues are %s", q.Queue, strings.Join(Queues, ", "))
	}
	for _, f := range [][2]string{{"c.priority", string(q.Priority)}, {"c.category", string(q.Category)},
		{"c.channel", string(q.Channel)}, {"cu.tier", string(q.Tier)}} {
		if f[1] != "" {
			where = append(where, f[0]+" = "+arg(f[1]))
		}
	}
	if q.Level != nil {
		where = append(where, "c.escalation_level = "+arg(*q.Level))
	}
	if len(grams) > 0 {
		// The customers the grams find are found once, by index, so that the
		// planner can combine both sides as bitmap index scans.
		g := arg(grams)
		where = append(where, fmt.Sprintf("(c.search_grams @> %s OR c.customer_id = ANY (ARRAY(SELECT id FROM customers WHERE search_grams @> %s)))", g, g))
	}
	if q.Cursor != "" {
		k, err := decodeQueueCursor(q.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		where = append(where, fmt.Sprintf("(c.next_due_at, c.id) > (%s, %s)", arg(k.due()), arg(k.ID)))
	}
	limit = q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	sql = `SELECT c.id, c.subject, c.status, c.priority, c.category, c.channel, c.severity, c.escalation_level,
		c.sla_breached, c.assignee, c.created_at, c.ack_due_at, c.resolve_due_at, c.resolve_paused_at,
		nullif(c.next_due_at, 'infinity'), cu.name, cu.tier, c.possible_duplicate_of IS NOT NULL,
		cu.id, c.description, c.order_ref, cu.email, c.sla_row
		FROM complaints c JOIN customers cu ON cu.id = c.customer_id
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY c.next_due_at, c.id LIMIT ` + arg(limit+1)
	return sql, args, limit, nil
}

// breachingSoon is the breaching-soon predicate for horizons by SLA row
// (redress.Policy.WarningHorizons): a deadline inside the horizon of the
// row the complaint keeps. A complaint's row that has no horizon (filed
// before rows were recorded, or under a tier's row the policy has since
// dropped) counts as its priority's sla row. The bound on next_due_at, the
// latest horizon, lets the planner read only the front of the queue index.
func breachingSoon(by map[string]redress.Horizon, arg func(any) string) string {
	if len(by) == 0 {
		return "false"
	}
	rows := make([]string, 0, len(by))
	for row := range by {
		rows = append(rows, row)
	}
	slices.Sort(rows)
	kept := fmt.Sprintf("(CASE WHEN c.sla_row = ANY (%s::text[]) THEN c.sla_row ELSE 'sla.' || c.priority END)", arg(rows))
	var latest time.Time
	var per []string
	for _, row := range rows {
		h := by[row]
		per = append(per, fmt.Sprintf("(%s = %s AND (c.ack_due_at <= %s OR c.resolve_due_at <= %s))", kept, arg(row), arg(h.Ack), arg(h.Resolve)))
		for _, t := range []time.Time{h.Ack, h.Resolve} {
			if t.After(latest) {
				latest = t
			}
		}
	}
	return fmt.Sprintf("c.next_due_at <= %s AND (%s)", arg(latest), strings.Join(per, " OR "))
}
