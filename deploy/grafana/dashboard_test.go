package grafana_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/redress-dev/redress/deploy/grafana"
)

// The dashboard imports into a current Grafana and asks the Prometheus that
// the importer picks: every query goes through the datasource variable.
// That every metric it queries is on /metrics is e2e's TestMetricsAfterALifecycle.
func TestDashboardShape(t *testing.T) {
	b, err := grafana.Parse(grafana.Dashboard)
	if err != nil {
		t.Fatal(err)
	}
	if b.Title == "" || b.UID == "" || b.SchemaVersion < 39 {
		t.Errorf("title %q, uid %q, schemaVersion %d; want both and a Grafana 11 schema (39 or later)", b.Title, b.UID, b.SchemaVersion)
	}
	variable := slices.IndexFunc(b.Templating.List, func(v grafana.Variable) bool {
		return v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus"
	})
	if variable < 0 {
		t.Fatalf("no Prometheus datasource variable named datasource: %+v", b.Templating.List)
	}

	ids := map[int]string{}
	var areas []grafana.Panel
	for _, p := range b.AllPanels() {
		if other, ok := ids[p.ID]; ok {
			t.Errorf("panels %q and %q share id %d", other, p.Title, p.ID)
		}
		ids[p.ID] = p.Title
		g := p.GridPos
		if g.X < 0 || g.W <= 0 || g.H <= 0 || g.X+g.W > 24 {
			t.Errorf("panel %q lies outside the 24 columns: %+v", p.Title, g)
		}
		for _, a := range areas {
			if g.X < a.GridPos.X+a.GridPos.W && a.GridPos.X < g.X+g.W && g.Y < a.GridPos.Y+a.GridPos.H && a.GridPos.Y < g.Y+g.H {
				t.Errorf("panels %q and %q overlap", a.Title, p.Title)
			}
		}
		areas = append(areas, p)
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, ds := range append([]*grafana.Datasource{p.Datasource}, targetSources(p)...) {
			if ds == nil || ds.Type != "prometheus" || ds.UID != "${datasource}" {
				t.Errorf("panel %q asks %+v; want the datasource variable", p.Title, ds)
			}
		}
		for _, target := range p.Targets {
			one := grafana.Board{Panels: []grafana.Panel{{Targets: []grafana.Target{target}}}}
			names := one.MetricNames()
			if len(names) == 0 {
				t.Errorf("panel %q, query %s: no metric found in %s", p.Title, target.RefID, target.Expr)
			}
			for _, name := range names {
				if !hasPrefix(name, "redress_", "temporal_", "go_", "process_") {
					t.Errorf("panel %q queries %s, which is none of Redress's, the Temporal SDK's or Go's", p.Title, name)
				}
			}
		}
	}
}

func targetSources(p grafana.Panel) []*grafana.Datasource {
	var sources []*grafana.Datasource
	for _, t := range p.Targets {
		sources = append(sources, t.Datasource)
	}
	return sources
}

func hasPrefix(s string, prefixes ...string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(s, p) })
}

// MetricNames finds the series of an expression and nothing else: not its
// functions, labels, label values, ranges or Grafana's variables.
func TestMetricNamesOfAnExpression(t *testing.T) {
	for expr, want := range map[string][]string{
		`histogram_quantile(0.99, sum by (le, route) (rate(redress_http_request_duration_seconds_bucket{status=~"5..", route!="x"}[$__rate_interval])))`: {"redress_http_request_duration_seconds_bucket"},
		`sum by (status) (max by (status, level) (redress_open_complaints))`:                                                                             {"redress_open_complaints"},
		`max without (instance, pod) (redress_outbox_backlog) / on (job) group_left sum(go_goroutines) or vector(0)`:                                     {"redress_outbox_backlog", "go_goroutines"},
		`rate(temporal_request_failure_total[5m]) > bool 0 and temporal_request_total`:                                                                   {"temporal_request_failure_total", "temporal_request_total"},
	} {
		b := grafana.Board{Panels: []grafana.Panel{{Targets: []grafana.Target{{Expr: expr}}}}}
		if got := b.MetricNames(); !slices.Equal(got, want) {
			t.Errorf("%s: %v; want %v", expr, got, want)
		}
	}
}
