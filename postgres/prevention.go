package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Prevention is the root causes of the complaints filed in a window, over
// time, with their repeat complaints: what a manager reads to see which
// cause grows and whether a fix worked.
type Prevention struct {
	From         time.Time     `json:"from"`
	To           time.Time     `json:"to"`
	Interval     string        `json:"interval"`
	Zone         string        `json:"time_zone"`
	RepeatWithin string        `json:"repeat_within"`
	Buckets      []time.Time   `json:"buckets"`
	Unresolved   int           `json:"unresolved"` // filed in the window, no root cause yet
	RootCauses   []CauseSeries `json:"root_causes"`
}

// CauseSeries is one root cause: its complaints in all, then per bucket.
// A repeat is a complaint whose customer, or whose order reference,
// complained before it within the repeat window.
type CauseSeries struct {
	RootCause      string       `json:"root_cause"`
	Complaints     int          `json:"complaints"`
	RepeatCustomer int          `json:"repeat_customer"`
	RepeatOrder    int          `json:"repeat_order"`
	Trend          CauseTrend   `json:"trend"`
	Points         []CausePoint `json:"points"`
}

// CausePoint is a root cause's complaints in one bucket.
type CausePoint struct {
	Start          time.Time `json:"start"`
	Complaints     int       `json:"complaints"`
	RepeatCustomer int       `json:"repeat_customer"`
	RepeatOrder    int       `json:"repeat_order"`
}

// CauseTrend compares the later half of the buckets with the earlier half
// (the middle one of an odd number in neither): positive when the cause
// grows; null when the earlier half had none.
type CauseTrend struct {
	Earlier   int      `json:"earlier"`
	Later     int      `json:"later"`
	ChangePct *float64 `json:"change_pct"`
}

// Prevention counts the root causes of the complaints filed from from
// (inclusive) to to, in buckets of interval (as Timeseries), the most
// frequent cause first.
func (db *DB) Prevention(ctx context.Context, basis Basis, interval string, from, to time.Time) (*Prevention, error) {
	p := &Prevention{From: from, To: to, Interval: interval, Zone: basis.Zone.String(),
		RepeatWithin: basis.RepeatWithin.String(), Buckets: []time.Time{}, RootCauses: []CauseSeries{}}
	at := map[string]int{}
	for b := bucketStart(from, interval, basis.Zone); b.Before(to); b = nextBucket(b, interval) {
		at[dateKey(b)] = len(p.Buckets)
		p.Buckets = append(p.Buckets, b)
	}
	cells, err := db.cells(ctx, basis, from, to, []string{"root_cause"}, nil)
	if err != nil {
		return nil, err
	}
	causes := map[string]*CauseSeries{}
	for i := range cells {
		c := &cells[i]
		if c.value == "" {
			p.Unresolved += int(c.complaints)
			continue
		}
		day := c.start(basis.Zone)
		b, ok := at[dateKey(bucketStart(day, interval, basis.Zone))]
		if !ok || c.complaints == 0 {
			continue
		}
		s := causes[c.value]
		if s == nil {
			s = &CauseSeries{RootCause: c.value, Points: make([]CausePoint, len(p.Buckets))}
			for i, start := range p.Buckets {
				s.Points[i].Start = start
			}
			causes[c.value] = s
		}
		point := &s.Points[b]
		point.Complaints += int(c.complaints)
		point.RepeatCustomer += int(c.repeatCustomer)
		point.RepeatOrder += int(c.repeatOrder)
	}
	half := len(p.Buckets) / 2
	for _, s := range causes {
		for i, point := range s.Points {
			s.Complaints += point.Complaints
			s.RepeatCustomer += point.RepeatCustomer
			s.RepeatOrder += point.RepeatOrder
			switch {
			case i < half:
				s.Trend.Earlier += point.Complaints
			case i >= len(s.Points)-half:
				s.Trend.Later += point.Complaints
			}
		}
		if s.Trend.Earlier > 0 {
			change := percent(s.Trend.Later-s.Trend.Earlier, s.Trend.Earlier)
			s.Trend.ChangePct = change
		}
		p.RootCauses = append(p.RootCauses, *s)
	}
	slices.SortFunc(p.RootCauses, func(a, b CauseSeries) int {
		return cmp.Or(cmp.Compare(b.Complaints, a.Complaints), cmp.Compare(a.RootCause, b.RootCause))
	})
	return p, nil
}
