package console

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// The supervisor's charts are drawn on the server as SVG: no script, no
// library, and nothing the page's Content-Security-Policy forbids (colours
// are presentation attributes, never style). Each chart is an image with an
// accessible name and, beside it, a table of the figures it draws. Every
// word in them goes through html/template's escaping.

// chartFrame is what every chart is told besides its figures.
type chartFrame struct {
	Title   string   // the chart's accessible name and caption
	Axis    string   // what Labels are: the head of the table's first column
	Labels  []string // one per bar or point, left to right (top to bottom)
	Figures string   // the words that open the table of figures
	Total   string   // the head of a stacked chart's column of totals
	Empty   string   // shown when there is nothing to draw
}

// countSeries is one series of counts, one per label.
type countSeries struct {
	Name   string
	Counts []int
}

// percentSeries is one series of percentages, nil where nothing was
// measured.
type percentSeries struct {
	Name   string
	Values []*float64
}

// drawing is a chart laid out in SVG user units, ready for svgTemplate.
type drawing struct {
	Title         string
	Width, Height float64
	Grid          []svgLine
	Rects         []svgRect
	Polylines     []svgPolyline
	Circles       []svgCircle
	Texts         []svgText
	Figures       string
	Head          []string
	Rows          [][]string
}

type svgLine struct{ X1, Y1, X2, Y2 float64 }

type svgRect struct {
	Class      string // "bar" for a figure, "swatch" for a legend's key
	X, Y, W, H float64
	Fill       string
	Title      string
}

type svgPolyline struct{ Points, Stroke string }

type svgCircle struct {
	X, Y  float64
	Fill  string
	Title string
}

type svgText struct {
	X, Y   float64
	Anchor string // start, middle or end
	Text   string
}

var svgTemplate = template.Must(template.New("chart").Parse(`<figure class="chart">
<figcaption>{{.Title}}</figcaption>
<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Title}}">
<title>{{.Title}}</title>
{{range .Grid}}<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}" stroke="#e3e6eb" stroke-width="1"/>
{{end}}{{range .Rects}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}">{{with .Title}}<title>{{.}}</title>{{end}}</rect>
{{end}}{{range .Polylines}}<polyline points="{{.Points}}" fill="none" stroke="{{.Stroke}}" stroke-width="2"/>
{{end}}{{range .Circles}}<circle class="point" cx="{{.X}}" cy="{{.Y}}" r="3.5" fill="{{.Fill}}"><title>{{.Title}}</title></circle>
{{end}}{{range .Texts}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}" font-size="12" fill="#5b6475">{{.Text}}</text>
{{end}}</svg>
<details><summary>{{.Figures}}</summary>
<table><caption>{{.Title}}</caption>
<thead><tr>{{range .Head}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range $i, $cell := .}}{{if eq $i 0}}<th scope="row">{{$cell}}</th>{{else}}<td>{{$cell}}</td>{{end}}{{end}}</tr>
{{end}}</tbody></table></details>
</figure>`))

// Colours that stay apart for people with the common colour-vision
// deficiencies (Okabe and Ito's palette), then greys.
var seriesFills = []string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#999999", "#555555"}

// csatFills run from an unhappy red to a happy green, score 1 to 5.
var csatFills = []string{"#b3261e", "#e07b39", "#e0b040", "#7fb069", "#1f7a3a"}

// The plot area of the vertical charts, in user units; the legend and the
// axis labels go around it.
const (
	chartWidth  = 640.0
	plotLeft    = 44.0
	plotRight   = 628.0
	plotTop     = 12.0
	plotBottom  = 212.0
	legendTop   = 244.0
	legendLine  = 18.0
	barRowSpace = 26.0
)

// stackedBars draws one bar per label, each series a segment of it, with a
// legend of the series.
func stackedBars(f chartFrame, stacks []countSeries) (template.HTML, error) {
	totals := make([]int, len(f.Labels))
	for _, s := range stacks {
		for i, n := range s.Counts {
			totals[i] += n
		}
	}
	d := newDrawing(f, seriesNames(stacks)...)
	top, ticks := scale(float64(maxOf(totals)))
	d.axis(ticks, top, strconv.Itoa)
	band := (plotRight - plotLeft) / float64(max(len(f.Labels), 1))
	for i, label := range f.Labels {
		y := plotBottom
		for k, s := range stacks {
			if s.Counts[i] == 0 {
				continue
			}
			h := float64(s.Counts[i]) / top * (plotBottom - plotTop)
			y -= h
			d.Rects = append(d.Rects, svgRect{Class: "bar", X: round(plotLeft + float64(i)*band + band*0.1), Y: round(y),
				W: round(band * 0.8), H: round(h), Fill: fill(k), Title: fmt.Sprintf("%s · %s: %d", label, s.Name, s.Counts[i])})
		}
	}
	d.xLabels(f.Labels, band)
	d.legend(seriesNames(stacks))
	for i, label := range f.Labels {
		row := []string{label}
		for _, s := range stacks {
			row = append(row, strconv.Itoa(s.Counts[i]))
		}
		d.Rows = append(d.Rows, append(row, strconv.Itoa(totals[i])))
	}
	d.Head = append(d.Head, f.Total)
	if maxOf(totals) == 0 {
		d.empty(f.Empty, (plotTop+plotBottom)/2)
	}
	return d.render()
}

// percentLines draws each series as a line of points on a 0 to 100% scale,
// broken where a value is missing.
func percentLines(f chartFrame, lines []percentSeries) (template.HTML, error) {
	d := newDrawing(f, seriesNames(lines)...)
	d.axis([]float64{0, 25, 50, 75, 100}, 100, func(v int) string { return strconv.Itoa(v) + "%" })
	band := (plotRight - plotLeft) / float64(max(len(f.Labels), 1))
	drawn := false
	for k, s := range lines {
		var run []string
		flush := func() {
			if len(run) > 1 {
				d.Polylines = append(d.Polylines, svgPolyline{Points: strings.Join(run, " "), Stroke: fill(k)})
			}
			run = nil
		}
		for i, v := range s.Values {
			if v == nil {
				flush()
				continue
			}
			drawn = true
			x, y := round(plotLeft+(float64(i)+0.5)*band), round(plotBottom-*v/100*(plotBottom-plotTop))
			run = append(run, number(x)+","+number(y))
			d.Circles = append(d.Circles, svgCircle{X: x, Y: y, Fill: fill(k), Title: fmt.Sprintf("%s · %s: %s%%", f.Labels[i], s.Name, number(*v))})
		}
		flush()
	}
	d.xLabels(f.Labels, band)
	d.legend(seriesNames(lines))
	for i, label := range f.Labels {
		row := []string{label}
		for _, s := range lines {
			cell := "—"
			if v := s.Values[i]; v != nil {
				cell = number(*v) + "%"
			}
			row = append(row, cell)
		}
		d.Rows = append(d.Rows, row)
	}
	if !drawn {
		d.empty(f.Empty, (plotTop+plotBottom)/2)
	}
	return d.render()
}

// bars draws one bar per label, each in its own colour.
func bars(f chartFrame, name string, counts []int, fills []string) (template.HTML, error) {
	d := newDrawing(f, name)
	d.Height = legendTop
	top, ticks := scale(float64(maxOf(counts)))
	d.axis(ticks, top, strconv.Itoa)
	band := (plotRight - plotLeft) / float64(max(len(f.Labels), 1))
	for i, label := range f.Labels {
		h := float64(counts[i]) / top * (plotBottom - plotTop)
		d.Rects = append(d.Rects, svgRect{Class: "bar", X: round(plotLeft + float64(i)*band + band*0.2), Y: round(plotBottom - h),
			W: round(band * 0.6), H: round(h), Fill: fills[i%len(fills)], Title: fmt.Sprintf("%s: %d", label, counts[i])})
		d.Rows = append(d.Rows, []string{label, strconv.Itoa(counts[i])})
	}
	d.xLabels(f.Labels, band)
	if maxOf(counts) == 0 {
		d.empty(f.Empty, (plotTop+plotBottom)/2)
	}
	return d.render()
}

// horizontalBars draws one bar per label, top to bottom, its label on the
// left and its count at its end.
func horizontalBars(f chartFrame, name string, counts []int) (template.HTML, error) {
	d := newDrawing(f, name)
	labelWidth := 0.0
	for _, l := range f.Labels {
		labelWidth = max(labelWidth, textWidth(l))
	}
	left := min(labelWidth+12, chartWidth/2)
	right := chartWidth - 40
	d.Height = plotTop + barRowSpace*float64(max(len(f.Labels), 1)) + 8
	most := float64(max(maxOf(counts), 1))
	for i, label := range f.Labels {
		y := plotTop + float64(i)*barRowSpace
		w := float64(counts[i]) / most * (right - left)
		d.Texts = append(d.Texts, svgText{X: left - 6, Y: round(y + 15), Anchor: "end", Text: label},
			svgText{X: round(left + w + 6), Y: round(y + 15), Anchor: "start", Text: strconv.Itoa(counts[i])})
		d.Rects = append(d.Rects, svgRect{Class: "bar", X: left, Y: round(y + 3), W: round(w), H: barRowSpace - 8,
			Fill: seriesFills[0], Title: fmt.Sprintf("%s: %d", label, counts[i])})
		d.Rows = append(d.Rows, []string{label, strconv.Itoa(counts[i])})
	}
	if len(f.Labels) == 0 {
		d.empty(f.Empty, plotTop+15)
	}
	return d.render()
}

// newDrawing starts a chart of the frame with a table headed by the
// series' names.
func newDrawing(f chartFrame, series ...string) *drawing {
	return &drawing{Title: f.Title, Width: chartWidth, Height: legendTop + legendLine, Figures: f.Figures,
		Head: append([]string{f.Axis}, series...)}
}

func (s countSeries) name() string   { return s.Name }
func (s percentSeries) name() string { return s.Name }

func seriesNames[S interface{ name() string }](series []S) []string {
	out := make([]string, len(series))
	for i, s := range series {
		out[i] = s.name()
	}
	return out
}

// axis draws the horizontal grid lines at ticks, labelled on the left.
func (d *drawing) axis(ticks []float64, top float64, label func(int) string) {
	for _, t := range ticks {
		y := round(plotBottom - t/top*(plotBottom-plotTop))
		d.Grid = append(d.Grid, svgLine{X1: plotLeft, Y1: y, X2: plotRight, Y2: y})
		d.Texts = append(d.Texts, svgText{X: plotLeft - 6, Y: y + 4, Anchor: "end", Text: label(int(t))})
	}
}

// xLabels writes the labels under the plot, as many as fit without
// overlapping, always the first.
func (d *drawing) xLabels(labels []string, band float64) {
	widest := 0.0
	for _, l := range labels {
		widest = max(widest, textWidth(l))
	}
	every := max(1, int(math.Ceil((widest+10)/band)))
	for i := 0; i < len(labels); i += every {
		d.Texts = append(d.Texts, svgText{X: round(plotLeft + (float64(i)+0.5)*band), Y: plotBottom + 16, Anchor: "middle", Text: labels[i]})
	}
}

// legend keys each series' colour to its name, in rows that wrap.
func (d *drawing) legend(names []string) {
	x, y := plotLeft, legendTop
	for k, name := range names {
		w := 16 + textWidth(name) + 14
		if x+w > chartWidth && x > plotLeft {
			x, y = plotLeft, y+legendLine
		}
		d.Rects = append(d.Rects, svgRect{Class: "swatch", X: round(x), Y: y - 9, W: 10, H: 10, Fill: fill(k)})
		d.Texts = append(d.Texts, svgText{X: round(x + 16), Y: y, Anchor: "start", Text: name})
		x += w
	}
	d.Height = y + legendLine
}

// empty says, at height y, that there was nothing to draw.
func (d *drawing) empty(words string, y float64) {
	d.Texts = append(d.Texts, svgText{X: (plotLeft + plotRight) / 2, Y: y, Anchor: "middle", Text: words})
}

func (d *drawing) render() (template.HTML, error) {
	var b bytes.Buffer
	if err := svgTemplate.Execute(&b, d); err != nil {
		return "", fmt.Errorf("draw the chart %q: %w", d.Title, err)
	}
	return template.HTML(b.String()), nil // html/template escaped every word in it
}

// scale is the top of a count axis, a round number at or above most, and
// its ticks from zero: about four steps of 1, 2 or 5 times a power of ten.
func scale(most float64) (top float64, ticks []float64) {
	step := 1.0
	if most > 4 {
		raw := most / 4
		power := math.Pow(10, math.Floor(math.Log10(raw)))
		step = power * 10
		for _, m := range []float64{1, 2, 5} {
			if m*power >= raw {
				step = m * power
				break
			}
		}
	}
	top = math.Max(step, math.Ceil(most/step)*step)
	for t := 0.0; t <= top; t += step {
		ticks = append(ticks, t)
	}
	return top, ticks
}

// textWidth guesses how wide a label is at the charts' font size: wide
// scripts (Chinese) take about twice a Latin letter.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2e80 {
			w += 12
		} else {
			w += 6.8
		}
	}
	return w
}

func fill(k int) string { return seriesFills[k%len(seriesFills)] }

func maxOf(counts []int) int {
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	return most
}

// round keeps a coordinate to a tenth of a unit: the SVG stays short.
func round(v float64) float64 { return math.Round(v*10) / 10 }

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
