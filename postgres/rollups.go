package postgres

import (
	"context"
	"math/big"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// Basis is what the analytics rollups depend on besides the raw rows: the
// zone whose days they count and the window within which a complaint by
// the same customer, or on the same order, is a repeat.
type Basis struct {
	Zone         *time.Location
	RepeatWithin time.Duration
}

// counts are what a set of complaints adds up to: the counts and exact sums
// every analytics figure is made of. The columns of analytics_daily and of
// analytics_cells (migration 0014) are these, in this order.
type counts struct {
	complaints, ackMeasured, ackMet, resolveMeasured, resolveMet int64
	acknowledged, ackMicros, resolved, resolveMicros             int64
	surveysSent, surveysAnswered, csatScoreSum, reopened         int64
	winbacksFinished, wonBack, repeatCustomer, repeatOrder       int64
}

// add adds m's counts times sign.
func (n *counts) add(m *counts, sign int64) {
	n.complaints += sign * m.complaints
	n.ackMeasured += sign * m.ackMeasured
	n.ackMet += sign * m.ackMet
	n.resolveMeasured += sign * m.resolveMeasured
	n.resolveMet += sign * m.resolveMet
	n.acknowledged += sign * m.acknowledged
	n.ackMicros += sign * m.ackMicros
	n.resolved += sign * m.resolved
	n.resolveMicros += sign * m.resolveMicros
	n.surveysSent += sign * m.surveysSent
	n.surveysAnswered += sign * m.surveysAnswered
	n.csatScoreSum += sign * m.csatScoreSum
	n.reopened += sign * m.reopened
	n.winbacksFinished += sign * m.winbacksFinished
	n.wonBack += sign * m.wonBack
	n.repeatCustomer += sign * m.repeatCustomer
	n.repeatOrder += sign * m.repeatOrder
}

// cell is the counts of one day (in the basis's zone) and one value of a
// dimension ("" for the whole), with the sketches of the durations.
type cell struct {
	day              time.Time // the date, at midnight UTC as PostgreSQL's dates scan
	dimension, value string
	counts
	ackSketch, resolveSketch sketch
}

// start is the cell's day's first instant in zone.
func (c *cell) start(zone *time.Location) time.Time {
	return time.Date(c.day.Year(), c.day.Month(), c.day.Day(), 0, 0, 0, 0, zone)
}

// targets are the scan targets of a cell's columns before its sketches.
func (c *cell) targets() []any {
	n := &c.counts
	return []any{&c.day, &c.dimension, &c.value, &n.complaints, &n.ackMeasured, &n.ackMet, &n.resolveMeasured,
		&n.resolveMet, &n.acknowledged, &n.ackMicros, &n.resolved, &n.resolveMicros, &n.surveysSent,
		&n.surveysAnswered, &n.csatScoreSum, &n.reopened, &n.winbacksFinished, &n.wonBack,
		&n.repeatCustomer, &n.repeatOrder}
}

// tally adds up cells. The sums of durations are big integers: a day's fit
// in 64 bits, a long window's might not.
type tally struct {
	counts                   // without the sums of durations
	ackMicros, resolveMicros big.Int
	ackSketch, resolveSketch sketch
}

func (t *tally) add(c *cell) {
	ackMicros, resolveMicros := t.counts.ackMicros, t.counts.resolveMicros
	t.counts.add(&c.counts, 1)
	t.counts.ackMicros, t.counts.resolveMicros = ackMicros, resolveMicros
	t.ackMicros.Add(&t.ackMicros, big.NewInt(c.ackMicros))
	t.resolveMicros.Add(&t.resolveMicros, big.NewInt(c.resolveMicros))
	t.ackSketch.merge(c.ackSketch, 1)
	t.resolveSketch.merge(c.resolveSketch, 1)
}

// meanSeconds is micros over n in seconds, as near as a float64 gets;
// nil for n = 0.
func meanSeconds(micros *big.Int, n int64) *float64 {
	if n == 0 {
		return nil
	}
	v, _ := new(big.Rat).SetFrac(micros, big.NewInt(n*1_000_000)).Float64()
	return &v
}

// rawCellsQuery adds up, per day and dimension value, the complaints filed
// in [$1, $2) or [$3, $4), for the dimensions $7, with the lists of their
// duration buckets for the dimensions $8. The two spans are read apart, so
// each is a range of the created_at index.
const rawCellsQuery = `SELECT x.day, x.dimension, x.value, sum(x.complaints), sum(x.ack_measured), sum(x.ack_met),
	sum(x.resolve_measured), sum(x.resolve_met), sum(x.acknowledged), coalesce(sum(x.ack_micros), 0)::bigint,
	sum(x.resolved), coalesce(sum(x.resolve_micros), 0)::bigint, sum(x.surveys_sent), sum(x.surveys_answered),
	sum(x.csat_score_sum), sum(x.reopened), sum(x.winbacks_finished), sum(x.won_back),
	sum(x.repeat_customer), sum(x.repeat_order),
	CASE WHEN x.dimension = ANY($8) THEN array_agg(x.ack_bucket) FILTER (WHERE x.ack_bucket IS NOT NULL) END,
	CASE WHEN x.dimension = ANY($8) THEN array_agg(x.resolve_bucket) FILTER (WHERE x.resolve_bucket IS NOT NULL) END
FROM (SELECT c FROM complaints c WHERE c.created_at >= $1 AND c.created_at < $2
		UNION ALL SELECT c FROM complaints c WHERE c.created_at >= $3 AND c.created_at < $4) r,
	analytics_cells(r.c, $5, $6) x
WHERE x.dimension = ANY($7)
GROUP BY 1, 2, 3`

// rolledCellsQuery reads the rollups of basis $1 from day $2 to day $3
// (exclusive) for the dimensions $4, with the sketches of the dimensions $5.
const rolledCellsQuery = `SELECT day, dimension, value, complaints, ack_measured, ack_met, resolve_measured,
	resolve_met, acknowledged, ack_micros, resolved, resolve_micros, surveys_sent, surveys_answered,
	csat_score_sum, reopened, winbacks_finished, won_back, repeat_customer, repeat_order,
	CASE WHEN dimension = ANY($5) THEN ack_sketch END, CASE WHEN dimension = ANY($5) THEN resolve_sketch END
FROM analytics_daily WHERE basis = $1 AND day >= $2::date AND day < $3::date AND dimension = ANY($4)`

// span is a stretch of time [from, to).
type span struct{ from, to time.Time }

// cells adds up the complaints filed from from (inclusive) to to, per day
// and value of the dimensions dims, leaving out the values no complaint
// has; the cells of the dimensions in sketched carry their duration
// sketches. When the basis's rollups are ready, the whole days come from
// them, and so does a partial day at either end when most of it is in the
// window: the rollup's day less the raw rows of the part outside. What
// remains comes from the raw rows, at most half a day at either end, and
// next to nothing for a window that ends now.
func (db *DB) cells(ctx context.Context, basis Basis, from, to time.Time, dims, sketched []string) ([]cell, error) {
	var cells []cell
	// One snapshot for the rollups and the raw rows, so that a change
	// committed in between cannot count twice or not at all.
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		cells, err = cellsIn(ctx, tx, basis, from, to, dims, sketched)
		return err
	})
	return cells, wrap(err)
}

func cellsIn(ctx context.Context, q querier, basis Basis, from, to time.Time, dims, sketched []string) ([]cell, error) {
	added, taken := []span{{from, to}}, []span(nil)
	var rolled []cell
	headDay, tailDay := startOfDay(from, basis.Zone), startOfDay(to, basis.Zone)
	if headDay.Before(tailDay) {
		id, ready, err := readyBasis(ctx, q, basis)
		if err != nil {
			return nil, err
		}
		if ready {
			added = nil
			first, end := headDay, tailDay // the rolled days
			if headEnd := daysLater(headDay, 1); from.After(headDay) {
				if headEnd.Sub(from) < from.Sub(headDay) {
					first = headEnd
					added = append(added, span{from, headEnd})
				} else {
					taken = append(taken, span{headDay, from})
				}
			}
			if tailEnd := daysLater(tailDay, 1); to.After(tailDay) {
				if to.Sub(tailDay) < tailEnd.Sub(to) {
					added = append(added, span{tailDay, to})
				} else {
					end = tailEnd
					taken = append(taken, span{to, tailEnd})
				}
			}
			if rolled, err = rolledCells(ctx, q, id, dateKey(first), dateKey(end), dims, sketched); err != nil {
				return nil, err
			}
		}
	}
	plus, err := rawCells(ctx, q, basis, added, dims, sketched)
	if err != nil {
		return nil, err
	}
	minus, err := rawCells(ctx, q, basis, taken, dims, sketched)
	if err != nil {
		return nil, err
	}
	return append(net(rolled, minus), plus...), nil
}

// net takes the cells of minus away from those of the same day and value
// in plus (the rollups of a day hold every complaint the raw rows taken
// away have), then leaves out the cells that count no complaint. The other
// cells, nearly all, pass as they are.
func net(plus, minus []cell) []cell {
	type key struct {
		day              time.Time
		dimension, value string
	}
	taken := make(map[key]*cell, len(minus))
	for i := range minus {
		c := &minus[i]
		taken[key{c.day, c.dimension, c.value}] = c
	}
	for i := range plus {
		c := &plus[i]
		if m, ok := taken[key{c.day, c.dimension, c.value}]; ok {
			c.counts.add(&m.counts, -1)
			c.ackSketch.merge(m.ackSketch, -1)
			c.resolveSketch.merge(m.resolveSketch, -1)
		}
	}
	return slices.DeleteFunc(plus, func(c cell) bool { return c.complaints == 0 })
}

// readyBasis is the id of the rollups kept for basis, and whether they are
// complete.
func readyBasis(ctx context.Context, q querier, basis Basis) (id int, ready bool, err error) {
	err = q.QueryRow(ctx, `SELECT id, ready FROM analytics_bases WHERE zone = $1 AND repeat_within = $2`,
		basis.Zone.String(), basis.RepeatWithin).Scan(&id, &ready)
	if err == pgx.ErrNoRows {
		return 0, false, nil
	}
	return id, ready, wrap(err)
}

func rolledCells(ctx context.Context, q querier, basis int, first, end string, dims, sketched []string) ([]cell, error) {
	rows, err := q.Query(ctx, rolledCellsQuery, basis, first, end, dims, sketched)
	if err != nil {
		return nil, wrap(err)
	}
	var cells []cell
	var c cell
	_, err = pgx.ForEachRow(rows, append(c.targets(), &c.ackSketch, &c.resolveSketch), func() error {
		cells = append(cells, c)
		c.ackSketch, c.resolveSketch = nil, nil // the next row's own
		return nil
	})
	return cells, wrap(err)
}

// rawCells adds up the complaints filed in the spans (at most two) from
// the raw rows.
func rawCells(ctx context.Context, q querier, basis Basis, spans []span, dims, sketched []string) ([]cell, error) {
	if len(spans) == 0 {
		return nil, nil
	}
	two := [2]span{spans[0], {spans[0].to, spans[0].to}}
	if len(spans) > 1 {
		two[1] = spans[1]
	}
	rows, err := q.Query(ctx, rawCellsQuery, two[0].from, two[0].to, two[1].from, two[1].to,
		basis.Zone.String(), basis.RepeatWithin, dims, sketched)
	if err != nil {
		return nil, wrap(err)
	}
	var cells []cell
	var c cell
	var ackBuckets, resolveBuckets []int32
	_, err = pgx.ForEachRow(rows, append(c.targets(), &ackBuckets, &resolveBuckets), func() error {
		for _, b := range ackBuckets {
			c.ackSketch.add(int(b), 1)
		}
		for _, b := range resolveBuckets {
			c.resolveSketch.add(int(b), 1)
		}
		cells = append(cells, c)
		c.ackSketch, c.resolveSketch = nil, nil
		return nil
	})
	return cells, wrap(err)
}

// BasisOf is the basis the policy asks for. Its zone has been checked
// when the policy was loaded; an unknown one counts in UTC.
func BasisOf(p redress.Policy) Basis {
	zone, err := redress.LoadZone(p.Timezone)
	if err != nil {
		zone = time.UTC
	}
	return Basis{Zone: zone, RepeatWithin: time.Duration(p.Analytics.RepeatWithin)}
}
