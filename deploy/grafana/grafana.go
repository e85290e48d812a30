// Package grafana holds Redress's Grafana dashboard, redress.json, and
// tells which metrics its panels query, for the tests that check the stack
// serves them.
package grafana

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// Dashboard is redress.json, the dashboard to import into Grafana.
//
//go:embed redress.json
var Dashboard []byte

// Board is the part of a dashboard the tests read.
type Board struct {
	Title         string  `json:"title"`
	UID           string  `json:"uid"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []Panel `json:"panels"`
	Templating    struct {
		List []Variable `json:"list"`
	} `json:"templating"`
}

// Panel is one panel, or a row holding others when collapsed.
type Panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *Datasource `json:"datasource"`
	Targets    []Target    `json:"targets"`
	Panels     []Panel     `json:"panels"`
	GridPos    struct {
		X int `json:"x"`
		Y int `json:"y"`
		W int `json:"w"`
		H int `json:"h"`
	} `json:"gridPos"`
}

// Target is one query of a panel.
type Target struct {
	RefID      string      `json:"refId"`
	Expr       string      `json:"expr"`
	Datasource *Datasource `json:"datasource"`
}

// Datasource names where a panel's or a query's data comes from.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Variable is a dashboard variable.
type Variable struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Query string `json:"query"`
}

// Parse decodes a dashboard; Grafana's fields the tests do not read are
// left out.
func Parse(dashboard []byte) (*Board, error) {
	var b Board
	if err := json.Unmarshal(dashboard, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// AllPanels are the board's panels, those inside rows included.
func (b *Board) AllPanels() []Panel {
	var all []Panel
	for _, p := range b.Panels {
		all = append(all, p)
		all = append(all, p.Panels...)
	}
	return all
}

var (
	// What in a PromQL expression is not a metric's name: label matchers
	// and grouping lists, range selectors, strings and Grafana's variables.
	labelMatchers = regexp.MustCompile(`\{[^}]*\}`)
	grouping      = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	ranges        = regexp.MustCompile(`\[[^\]]*\]`)
	quoted        = regexp.MustCompile(`"[^"]*"`)
	variables     = regexp.MustCompile(`\$\{?\w+\}?`)
	identifiers   = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?`)
	keywords      = []string{"and", "or", "unless", "bool", "offset", "group_left", "group_right", "inf", "nan"}
)

// MetricNames are the names of the series the board's queries read, each
// once, in order: a histogram's are its _bucket, _sum or _count.
func (b *Board) MetricNames() []string {
	var names []string
	for _, p := range b.AllPanels() {
		for _, t := range p.Targets {
			expr := quoted.ReplaceAllString(t.Expr, " ")
			for _, strip := range []*regexp.Regexp{labelMatchers, grouping, ranges, variables} {
				expr = strip.ReplaceAllString(expr, " ")
			}
			for _, id := range identifiers.FindAllString(expr, -1) {
				if strings.HasSuffix(id, "(") || slices.Contains(keywords, strings.ToLower(id)) {
					continue // a function or an aggregation, or an operator
				}
				if !slices.Contains(names, id) {
					names = append(names, id)
				}
			}
		}
	}
	return names
}
