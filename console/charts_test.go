package console

import (
	"encoding/xml"
	"html/template"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// svgNode is any element of a drawn chart, read back as XML.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []svgNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n svgNode) num(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return v
}

// all finds the elements named name with the class, in document order.
func (n svgNode) all(name, class string) []svgNode {
	var out []svgNode
	if n.XMLName.Local == name && (class == "" || n.attr("class") == class) {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, c.all(name, class)...)
	}
	return out
}

// title is the text of an element's <title>.
func (n svgNode) title() string {
	for _, c := range n.Children {
		if c.XMLName.Local == "title" {
			return c.Text
		}
	}
	return ""
}

// parseChart reads a chart as strict XML: anything left unescaped fails.
func parseChart(t *testing.T, h template.HTML) svgNode {
	t.Helper()
	var root svgNode
	if err := xml.Unmarshal([]byte(h), &root); err != nil {
		t.Fatalf("the chart is not well-formed XML: %v\n%s", err, h)
	}
	svgs := root.all("svg", "")
	if len(svgs) != 1 || svgs[0].attr("role") != "img" || svgs[0].attr("aria-label") == "" ||
		svgs[0].title() != svgs[0].attr("aria-label") || !strings.HasPrefix(svgs[0].attr("viewBox"), "0 0 ") {
		t.Fatalf("want one <svg role=img> named by aria-label and <title>, with a viewBox:\n%s", h)
	}
	if strings.Contains(string(h), "style=") {
		t.Errorf("a style attribute, which the console's CSP forbids:\n%s", h)
	}
	return root
}

// dataRows are the rows of the chart's table of figures.
func dataRows(root svgNode) [][]string {
	var rows [][]string
	for _, tr := range root.all("tbody", "")[0].all("tr", "") {
		var cells []string
		for _, c := range tr.Children {
			cells = append(cells, c.Text)
		}
		rows = append(rows, cells)
	}
	return rows
}

const hostile = `<script>alert("x")</script> & Co's`

func TestStackedBarsDrawEachCountInProportion(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	labels := []string{hostile, "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"}
	stacks := []countSeries{{Name: "delivery"}, {Name: hostile}, {Name: "billing"}}
	nonzero := 0
	for k := range stacks {
		for range labels {
			n := max(0, rng.IntN(40)-10)
			stacks[k].Counts = append(stacks[k].Counts, n)
			nonzero += count(n > 0)
		}
	}
	h, err := stackedBars(chartFrame{Title: "Volume " + hostile, Axis: "Day", Labels: labels, Figures: "Figures", Total: "Total", Empty: "none"}, stacks)
	if err != nil {
		t.Fatal(err)
	}
	root := parseChart(t, h)
	bars := root.all("rect", "bar")
	if len(bars) != nonzero {
		t.Fatalf("%d bars, want one per non-zero count: %d", len(bars), nonzero)
	}
	perUnit := 0.0
	tops := map[float64]float64{} // each day's stack top by its x
	b := 0
	for i, label := range labels {
		for k, s := range stacks {
			n := s.Counts[i]
			if n == 0 {
				continue
			}
			bar := bars[b]
			b++
			height, y, x := bar.num(t, "height"), bar.num(t, "y"), bar.num(t, "x")
			if perUnit == 0 {
				perUnit = height / float64(n)
			}
			if math.Abs(height-perUnit*float64(n)) > 0.3 {
				t.Errorf("day %d, series %d: height %v for %d, want %v", i, k, height, n, perUnit*float64(n))
			}
			if top, ok := tops[x]; ok && math.Abs(top-(y+height)) > 0.3 {
				t.Errorf("day %d, series %d: a segment from %v to %v does not sit on the one below, at %v", i, k, y, y+height, top)
			}
			tops[x] = y
			if want := label + " · " + s.Name + ": " + strconv.Itoa(n); bar.title() != want {
				t.Errorf("bar title %q, want %q", bar.title(), want)
			}
			if bar.attr("fill") != seriesFills[k] {
				t.Errorf("series %d drawn in %s, want %s", k, bar.attr("fill"), seriesFills[k])
			}
		}
	}
	if swatches := root.all("rect", "swatch"); len(swatches) != len(stacks) {
		t.Errorf("%d legend keys, want %d", len(swatches), len(stacks))
	}
	rows := dataRows(root)
	if len(rows) != len(labels) || rows[0][0] != hostile || len(rows[0]) != len(stacks)+2 {
		t.Errorf("table rows %q", rows)
	}
	if strings.Contains(string(h), "<script>") || !strings.Contains(string(h), "&lt;script&gt;") {
		t.Errorf("a label came out unescaped:\n%s", h)
	}
}

func TestPercentLinesPlotEachMeasuredWeek(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	labels := make([]string, 9)
	lines := []percentSeries{{Name: "ack"}, {Name: hostile}}
	points, runs := 0, 0
	for k := range lines {
		run := 0
		for i := range labels {
			labels[i] = "2026-W" + strconv.Itoa(10+i)
			if rng.IntN(4) == 0 {
				lines[k].Values = append(lines[k].Values, nil)
				runs += count(run > 1)
				run = 0
				continue
			}
			v := math.Round(rng.Float64()*1000) / 10
			lines[k].Values = append(lines[k].Values, &v)
			points++
			run++
		}
		runs += count(run > 1)
	}
	h, err := percentLines(chartFrame{Title: "SLA", Axis: "Week", Labels: labels, Figures: "Figures", Empty: "none"}, lines)
	if err != nil {
		t.Fatal(err)
	}
	root := parseChart(t, h)
	circles := root.all("circle", "point")
	if len(circles) != points {
		t.Fatalf("%d points, want %d", len(circles), points)
	}
	if got := len(root.all("polyline", "")); got != runs {
		t.Errorf("%d lines, want one per run of two or more measured weeks: %d", got, runs)
	}
	c := 0
	for _, s := range lines {
		var xs []float64
		for i, v := range s.Values {
			if v == nil {
				continue
			}
			p := circles[c]
			c++
			// 0% sits on the plot's bottom, 100% on its top.
			if want := plotBottom - *v/100*(plotBottom-plotTop); math.Abs(p.num(t, "cy")-want) > 0.1 {
				t.Errorf("%s week %d: %v%% drawn at y %v, want %v", s.Name, i, *v, p.num(t, "cy"), want)
			}
			xs = append(xs, p.num(t, "cx"))
		}
		for i := 1; i < len(xs); i++ {
			if xs[i] <= xs[i-1] {
				t.Errorf("%s: points out of order: %v", s.Name, xs)
			}
		}
	}
	if rows := dataRows(root); len(rows) != len(labels) {
		t.Errorf("%d table rows, want %d", len(rows), len(labels))
	}
}

func TestBarsAndHorizontalBarsAreProportional(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	counts := make([]int, 5)
	for i := range counts {
		counts[i] = rng.IntN(300)
	}
	counts[2] = 0
	frame := chartFrame{Title: "CSAT", Axis: "Score", Labels: []string{"1", "2", "3", "4", "5"}, Figures: "Figures", Empty: "none"}
	h, err := bars(frame, "Complaints", counts, csatFills)
	if err != nil {
		t.Fatal(err)
	}
	checkProportional(t, parseChart(t, h).all("rect", "bar"), counts, "height")

	causes := []string{hostile, "Logistics", "产品缺陷", "Other"}
	counts = []int{17, 9, 4, 1}
	frame = chartFrame{Title: "Root causes", Axis: "Root cause", Labels: causes, Figures: "Figures", Empty: "none"}
	h, err = horizontalBars(frame, "Complaints", counts)
	if err != nil {
		t.Fatal(err)
	}
	root := parseChart(t, h)
	bars := root.all("rect", "bar")
	checkProportional(t, bars, counts, "width")
	for i, b := range bars {
		if want := causes[i] + ": " + strconv.Itoa(counts[i]); b.title() != want {
			t.Errorf("bar %d titled %q, want %q", i, b.title(), want)
		}
		if i > 0 && b.num(t, "y") <= bars[i-1].num(t, "y") {
			t.Errorf("bar %d is not below bar %d", i, i-1)
		}
	}
	var texts []string
	for _, n := range root.all("text", "") {
		texts = append(texts, n.Text)
	}
	if !strings.Contains(strings.Join(texts, "|"), hostile+"|17|") {
		t.Errorf("the first bar's label and count: %q", texts)
	}
}

// checkProportional checks that each bar's size is its count times one
// factor.
func checkProportional(t *testing.T, bars []svgNode, counts []int, size string) {
	t.Helper()
	if len(bars) != len(counts) {
		t.Fatalf("%d bars, want %d", len(bars), len(counts))
	}
	most := 0
	for i, n := range counts {
		if n > counts[most] {
			most = i
		}
	}
	perUnit := bars[most].num(t, size) / float64(counts[most])
	for i, b := range bars {
		if got := b.num(t, size); math.Abs(got-perUnit*float64(counts[i])) > 0.3 {
			t.Errorf("bar %d: %s %v for %d, want %v", i, size, got, counts[i], perUnit*float64(counts[i]))
		}
	}
}

func TestEmptyChartsSaySo(t *testing.T) {
	frame := chartFrame{Title: "Volume", Axis: "Day", Labels: []string{"2026-11-02"}, Figures: "Figures", Total: "Total", Empty: "Nothing & more"}
	for name, draw := range map[string]func() (template.HTML, error){
		"stacked": func() (template.HTML, error) { return stackedBars(frame, []countSeries{{Name: "a", Counts: []int{0}}}) },
		"lines": func() (template.HTML, error) {
			return percentLines(frame, []percentSeries{{Name: "a", Values: []*float64{nil}}})
		},
		"bars": func() (template.HTML, error) { return bars(frame, "a", []int{0}, csatFills) },
		"horizontal": func() (template.HTML, error) {
			return horizontalBars(chartFrame{Title: "Causes", Empty: frame.Empty}, "a", nil)
		},
	} {
		h, err := draw()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range parseChart(t, h).all("text", "") {
			found = found || n.Text == frame.Empty
		}
		if !found {
			t.Errorf("%s: an empty chart does not say %q", name, frame.Empty)
		}
	}
}

// TestScale checks the count axis: its top covers the largest count, with
// about four steps of 1, 2 or 5 times a power of ten from zero.
func TestScale(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		most := float64(rapid.IntRange(0, 1_000_000).Draw(t, "most"))
		top, ticks := scale(most)
		if top < most || top <= 0 || ticks[0] != 0 || ticks[len(ticks)-1] != top {
			t.Fatalf("scale(%v) = %v, %v", most, top, ticks)
		}
		if len(ticks) < 2 || len(ticks) > 6 {
			t.Fatalf("scale(%v): %d ticks %v", most, len(ticks), ticks)
		}
		step := ticks[1]
		mantissa := step / math.Pow(10, math.Floor(math.Log10(step)))
		if math.Abs(mantissa-1) > 1e-9 && math.Abs(mantissa-2) > 1e-9 && math.Abs(mantissa-5) > 1e-9 {
			t.Fatalf("scale(%v): step %v is not 1, 2 or 5 times a power of ten", most, step)
		}
		if most > 4 && top-most >= step {
			t.Fatalf("scale(%v): top %v is a whole step too high", most, top)
		}
	})
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}
