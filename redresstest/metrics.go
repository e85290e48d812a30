package redresstest

import (
	"bytes"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Metrics are the series of a /metrics answer, by family name.
type Metrics map[string]*dto.MetricFamily

// ParseMetrics reads a /metrics answer in Prometheus's text format.
func ParseMetrics(t testing.TB, body []byte) Metrics {
	t.Helper()
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus's text format: %v\n%s", err, body)
	}
	return families
}

// Value is the value of the gauge or counter series of the family name
// whose labels are exactly the given name, value pairs; false when there is
// none.
func (m Metrics) Value(name string, labels ...string) (float64, bool) {
	f, ok := m[name]
	if !ok {
		return 0, false
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	for _, s := range f.GetMetric() {
		if len(s.GetLabel()) != len(want) {
			continue
		}
		match := true
		for _, l := range s.GetLabel() {
			if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case s.Gauge != nil:
			return s.GetGauge().GetValue(), true
		case s.Counter != nil:
			return s.GetCounter().GetValue(), true
		case s.Untyped != nil:
			return s.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// Has reports whether a series of the given name is there: a family's name,
// or one of a histogram's or summary's _bucket, _sum and _count.
func (m Metrics) Has(name string) bool {
	if _, ok := m[name]; ok {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base, found := strings.CutSuffix(name, suffix)
		if !found {
			continue
		}
		if f, ok := m[base]; ok && (f.GetType() == dto.MetricType_HISTOGRAM ||
			f.GetType() == dto.MetricType_SUMMARY && suffix != "_bucket") {
			return true
		}
	}
	return false
}

// Names are the families' names, in order.
func (m Metrics) Names() []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
