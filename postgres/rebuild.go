package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// rebuildLock keeps two rebuilds from running at once, across processes.
const rebuildLock = 0x5245_4452_524f_4c4c // "REDRROLL"

// rebuildBatchDays is how many days one batch of a rebuild recomputes. The
// complaints' changes wait while a batch runs, so it stays short: a week
// of a million complaints a year takes well under a second.
const rebuildBatchDays = 7

// RebuildProgress is how far a rebuild has come: first the stale repeat
// facts, then the days.
type RebuildProgress struct {
	StaleFacts, FactsDone int64 // complaints whose repeat facts were stale
	Days, DaysDone        int   // the days from the first complaint's to the last one's
	Complaints            int64
	Elapsed               time.Duration
}

// String is the progress as a line for a person.
func (p RebuildProgress) String() string {
	if p.Days == 0 {
		return fmt.Sprintf("repeat facts of %d of %d complaints refreshed, %s", p.FactsDone, p.StaleFacts, p.Elapsed.Round(time.Millisecond))
	}
	return fmt.Sprintf("%d of %d days, %d complaints, %s", p.DaysDone, p.Days, p.Complaints, p.Elapsed.Round(time.Millisecond))
}

// ErrRebuildRunning is RebuildAnalytics's answer, when asked not to wait,
// while another rebuild runs.
var ErrRebuildRunning = errors.New("postgres: an analytics rebuild is already running")

// RebuildAnalytics recomputes the rollups of basis from the raw rows, batch
// by batch, and then reads them for analytics; the rollups of any other
// basis are dropped. It first refreshes the repeat facts of every
// complaint. Each batch replaces its days' rollups in one transaction that
// holds back the trigger's writes meanwhile, so the rollups stay exact
// while complaints change, and a rollup already ready stays readable
// throughout. Running it again changes nothing. With wait false it returns
// ErrRebuildRunning at once when another rebuild holds the lock.
func (db *DB) RebuildAnalytics(ctx context.Context, basis Basis, wait bool, progress func(RebuildProgress)) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return wrap(err)
	}
	defer conn.Release()
	locked := true
	if wait {
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, rebuildLock)
	} else {
		err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, rebuildLock).Scan(&locked)
	}
	if err != nil {
		return wrap(err)
	}
	if !locked {
		return ErrRebuildRunning
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, rebuildLock)

	start := time.Now()
	p := RebuildProgress{}
	report := func() {
		p.Elapsed = time.Since(start)
		if progress != nil {
			progress(p)
		}
	}
	if err := refreshRepeatFacts(ctx, conn, &p, report); err != nil {
		return err
	}
	var id int
	if err := db.pool.QueryRow(ctx, `INSERT INTO analytics_bases (zone, repeat_within) VALUES ($1, $2)
		ON CONFLICT (zone, repeat_within) DO UPDATE SET zone = excluded.zone RETURNING id`,
		basis.Zone.String(), basis.RepeatWithin).Scan(&id); err != nil {
		return wrap(err)
	}
	var first, last *time.Time
	if err := db.pool.QueryRow(ctx, `SELECT min(created_at), max(created_at) FROM complaints`).Scan(&first, &last); err != nil {
		return wrap(err)
	}
	begin, end := startOfDay(time.Now(), basis.Zone), startOfDay(time.Now(), basis.Zone)
	if first != nil {
		begin, end = startOfDay(*first, basis.Zone), daysLater(startOfDay(*last, basis.Zone), 1)
		for d := begin; d.Before(end); d = daysLater(d, 1) {
			p.Days++
		}
	}
	// Days outside every complaint's hold nothing.
	if err := db.replaceDays(ctx, basis, id, span{begin, begin}, span{end, end}, nil); err != nil {
		return err
	}
	for from := begin; from.Before(end); {
		to := daysLater(from, rebuildBatchDays)
		if to.After(end) {
			to = end
		}
		n := int64(0)
		if err := db.replaceDays(ctx, basis, id, span{from, to}, span{}, &n); err != nil {
			return err
		}
		for d := from; d.Before(to); d = daysLater(d, 1) {
			p.DaysDone++
		}
		p.Complaints += n
		report()
		from = to
	}
	_, err = db.pool.Exec(ctx, `WITH built AS (UPDATE analytics_bases SET ready = true, built_at = now() WHERE id = $1)
		DELETE FROM analytics_bases WHERE id <> $1`, id)
	return wrap(err)
}

// replaceDays recomputes the rollups of basis id for the days of days from
// the raw rows; with outside set instead, it clears the days before
// outside.from and from outside.to on. counted, when given, learns how
// many complaints the days hold.
func (db *DB) replaceDays(ctx context.Context, basis Basis, id int, days, outside span, counted *int64) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// Holds back the trigger's writes (and waits for those under way)
		// while letting readers read.
		if _, err := tx.Exec(ctx, `LOCK TABLE analytics_daily IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return wrap(err)
		}
		if counted == nil {
			_, err := tx.Exec(ctx, `DELETE FROM analytics_daily WHERE basis = $1 AND (day < $2::date OR day >= $3::date)`,
				id, dateKey(outside.from), dateKey(outside.to))
			return wrap(err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM analytics_daily WHERE basis = $1 AND day >= $2::date AND day < $3::date`,
			id, dateKey(days.from), dateKey(days.to)); err != nil {
			return wrap(err)
		}
		cells, err := rawCells(ctx, tx, basis, []span{days}, rolledDimensions, rolledDimensions)
		if err != nil {
			return err
		}
		rows := make([][]any, len(cells))
		for i := range cells {
			c := &cells[i]
			if c.dimension == "" {
				*counted += c.complaints
			}
			n := &c.counts
			rows[i] = []any{id, c.day, c.dimension, c.value, n.complaints, n.ackMeasured, n.ackMet, n.resolveMeasured,
				n.resolveMet, n.acknowledged, n.ackMicros, n.resolved, n.resolveMicros, n.surveysSent,
				n.surveysAnswered, n.csatScoreSum, n.reopened, n.winbacksFinished, n.wonBack,
				n.repeatCustomer, n.repeatOrder, sketchColumn(c.ackSketch), sketchColumn(c.resolveSketch)}
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"analytics_daily"}, analyticsDailyColumns, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("postgres: rebuild %s to %s: %w", dateKey(days.from), dateKey(days.to), err)
		}
		return nil
	})
}

// sketchColumn is a sketch as analytics_daily stores it: never null.
func sketchColumn(s sketch) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

var analyticsDailyColumns = []string{"basis", "day", "dimension", "value", "complaints", "ack_measured", "ack_met",
	"resolve_measured", "resolve_met", "acknowledged", "ack_micros", "resolved", "resolve_micros", "surveys_sent",
	"surveys_answered", "csat_score_sum", "reopened", "winbacks_finished", "won_back", "repeat_customer",
	"repeat_order", "ack_sketch", "resolve_sketch"}

// rolledDimensions are the dimensions analytics_cells counts by; "" is the
// whole.
var rolledDimensions = []string{"", "status", "category", "priority", "channel", "tier", "root_cause", "assignee", "csat_score"}

// factsBatch is how many complaints' repeat facts one transaction of a
// rebuild refreshes: short enough that the complaints' writers never wait
// long on its row locks.
const factsBatch = 20_000

// refreshRepeatFacts recomputes when each complaint's customer, and its
// order reference, last complained before it, where rows written out of
// order (by hand, backdated, a bulk import) left them stale. It writes in
// batches marked as the rebuild's own, so that the triggers neither notify
// the console nor move the rollups, which the rebuild recomputes next.
func refreshRepeatFacts(ctx context.Context, conn *pgxpool.Conn, p *RebuildProgress, report func()) error {
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS stale_facts`); err != nil {
		return wrap(err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS stale_facts`)
	tag, err := conn.Exec(ctx, `CREATE TEMP TABLE stale_facts AS
		SELECT row_number() OVER (ORDER BY f.id) AS n, f.* FROM (SELECT id,
				lag(created_at) OVER (PARTITION BY customer_id ORDER BY created_at, id) AS previous_customer_at,
				CASE WHEN order_ref <> '' THEN lag(created_at) OVER (PARTITION BY order_ref ORDER BY created_at, id) END AS previous_order_at
			FROM complaints) f JOIN complaints c USING (id)
		WHERE (c.previous_customer_at, c.previous_order_at) IS DISTINCT FROM (f.previous_customer_at, f.previous_order_at)`)
	if err != nil {
		return wrap(err)
	}
	p.StaleFacts = tag.RowsAffected()
	if p.StaleFacts == 0 {
		return nil
	}
	if _, err := conn.Exec(ctx, `CREATE INDEX ON stale_facts (n)`); err != nil {
		return wrap(err)
	}
	for p.FactsDone < p.StaleFacts {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL redress.rebuilding = 'on'`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE complaints c SET previous_customer_at = f.previous_customer_at,
					previous_order_at = f.previous_order_at
				FROM stale_facts f WHERE f.n > $1 AND f.n <= $2 AND f.id = c.id`, p.FactsDone, p.FactsDone+factsBatch)
			return err
		})
		if err != nil {
			return wrap(err)
		}
		p.FactsDone = min(p.FactsDone+factsBatch, p.StaleFacts)
		report()
	}
	return nil
}

// AnalyticsReady tells whether the rollups of basis are built, so that
// analytics read them.
func (db *DB) AnalyticsReady(ctx context.Context, basis Basis) (bool, error) {
	_, ready, err := readyBasis(ctx, db.pool, basis)
	return ready, err
}
