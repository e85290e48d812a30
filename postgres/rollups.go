package postgres

import (
	"context"
	"math/big"
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

// cell is the counts of one day (in the basis's zone) and one value of a
// dimension ("" for the whole), with the sketches of the durations.
type cell struct {
	day              time.Time // the date, at midnight UTC as PostgreSQL's dates scan
	dimension, value string
	counts
	ackSketch, resolveSketch sketch
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
	n, m := &t.counts, &c.counts
	n.complaints += m.complaints
	n.ackMeasured += m.ackMeasured
	n.ackMet += m.ackMet
	n.resolveMeasured += m.resolveMeasured
	n.resolveMet += m.resolveMet
	n.acknowledged += m.acknowledged
	t.ackMicros.Add(&t.ackMicros, big.NewInt(m.ackMicros))
	n.resolved += m.resolved
	t.resolveMicros.Add(&t.resolveMicros, big.NewInt(m.resolveMicros))
	n.surveysSent += m.surveysSent
	n.surveysAnswered += m.surveysAnswered
	n.csatScoreSum += m.csatScoreSum
	n.reopened += m.reopened
	n.winbacksFinished += m.winbacksFinished
	n.wonBack += m.wonBack
	n.repeatCustomer += m.repeatCustomer
	n.repeatOrder += m.repeatOrder
	t.ackSketch.merge(c.ackSketch)
	t.resolveSketch.merge(c.resolveSketch)
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
// duration buckets for the dimensions $8.
const rawCellsQuery = `SELECT x.day, x.dimension, x.value, sum(x.complaints), sum(x.ack_measured), sum(x.ack_met),
	sum(x.resolve_measured), sum(x.resolve_met), sum(x.acknowledged), coalesce(sum(x.ack_micros), 0)::bigint,
	sum(x.resolved), coalesce(sum(x.resolve_micros), 0)::bigint, sum(x.surveys_sent), sum(x.surveys_answered),
	sum(x.csat_score_sum), sum(x.reopened), sum(x.winbacks_finished), sum(x.won_back),
	sum(x.repeat_customer), sum(x.repeat_order),
	CASE WHEN x.dimension = ANY($8) THEN array_agg(x.ack_bucket) FILTER (WHERE x.ack_bucket IS NOT NULL) END,
	CASE WHEN x.dimension = ANY($8) THEN array_agg(x.resolve_bucket) FILTER (WHERE x.resolve_bucket IS NOT NULL) END
FROM complaints c, analytics_cells(c, $5, $6) x
WHERE (c.created_at >= $1 AND c.created_at < $2 OR c.created_at >= $3 AND c.created_at < $4) AND x.dimension = ANY($7)
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
// and value of the dimensions dims; the cells of the dimensions in
// sketched carry their duration sketches. The whole days come from the
// rollups when the basis's are ready, the rest from the raw rows.
func (db *DB) cells(ctx context.Context, basis Basis, from, to time.Time, dims, sketched []string) ([]cell, error) {
	raw := [2]span{{from, to}, {to, to}}
	var cells []cell
	first := startOfDay(from, basis.Zone)
	if first.Before(from) {
		first = daysLater(first, 1)
	}
	end := startOfDay(to, basis.Zone)
	if first.Before(end) {
		id, ready, err := db.readyBasis(ctx, basis)
		if err != nil {
			return nil, err
		}
		if ready {
			raw = [2]span{{from, first}, {end, to}}
			if cells, err = db.rolledCells(ctx, id, dateKey(first), dateKey(end), dims, sketched); err != nil {
				return nil, err
			}
		}
	}
	edges, err := rawCells(ctx, db.pool, basis, raw, dims, sketched)
	return append(cells, edges...), err
}

// readyBasis is the id of the rollups kept for basis, and whether they are
// complete.
func (db *DB) readyBasis(ctx context.Context, basis Basis) (id int, ready bool, err error) {
	err = db.pool.QueryRow(ctx, `SELECT id, ready FROM analytics_bases WHERE zone = $1 AND repeat_within = $2`,
		basis.Zone.String(), basis.RepeatWithin).Scan(&id, &ready)
	if err == pgx.ErrNoRows {
		return 0, false, nil
	}
	return id, ready, wrap(err)
}

func (db *DB) rolledCells(ctx context.Context, basis int, first, end string, dims, sketched []string) ([]cell, error) {
	rows, err := db.pool.Query(ctx, rolledCellsQuery, basis, first, end, dims, sketched)
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

// rawCells adds up the complaints filed in the spans from the raw rows.
func rawCells(ctx context.Context, q querier, basis Basis, spans [2]span, dims, sketched []string) ([]cell, error) {
	if !spans[0].from.Before(spans[0].to) && !spans[1].from.Before(spans[1].to) {
		return nil, nil
	}
	rows, err := q.Query(ctx, rawCellsQuery, spans[0].from, spans[0].to, spans[1].from, spans[1].to,
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
	zone, err := time.LoadLocation(p.Timezone)
	if err != nil {
		zone = time.UTC
	}
	return Basis{Zone: zone, RepeatWithin: time.Duration(p.Analytics.RepeatWithin)}
}
