package postgres

import "math"

// sketchGamma is the growth of the duration sketch's buckets: bucket i > 0
// holds the durations from gamma^(i-1) to gamma^i seconds, bucket 0 those
// under a second. Its representative 2*gamma^i/(gamma+1) is within 1% of
// every duration in the bucket, so a percentile read from a sketch is
// within 1% of the exact one, give or take a second, as durations under a
// second count as zero (analytics_bucket in migration 0014 is the same
// rule in SQL).
const sketchGamma = 1.01 / 0.99

// sketch counts durations by bucket: element i counts bucket i. Sketches
// of days and dimension values merge by adding their counts.
type sketch []int64

// add puts n more durations into bucket.
func (s *sketch) add(bucket int, n int64) {
	if bucket >= len(*s) {
		*s = append(*s, make(sketch, bucket+1-len(*s))...)
	}
	(*s)[bucket] += n
}

// merge adds other's counts times sign.
func (s *sketch) merge(other sketch, sign int64) {
	for bucket, n := range other {
		if n != 0 {
			s.add(bucket, sign*n)
		}
	}
}

// quantile is the q-th quantile of the durations in seconds, interpolated
// between neighbouring ranks as PostgreSQL's percentile_cont is; nil for
// no durations.
func (s sketch) quantile(q float64) *float64 {
	var n int64
	for _, c := range s {
		n += c
	}
	if n == 0 {
		return nil
	}
	rank := q * float64(n-1)
	low, high := math.Floor(rank), math.Ceil(rank)
	at, next := s.atRank(int64(low)), s.atRank(int64(high))
	v := at + (rank-low)*(next-at)
	return &v
}

// atRank is the representative of the bucket holding the rank-th smallest
// duration (from 0).
func (s sketch) atRank(rank int64) float64 {
	for bucket, c := range s {
		if rank < c {
			if bucket == 0 {
				return 0
			}
			return 2 * math.Pow(sketchGamma, float64(bucket)) / (sketchGamma + 1)
		}
		rank -= c
	}
	return math.NaN() // no such rank: the counts are short of it
}
