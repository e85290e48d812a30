package console

import (
	"cmp"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/locales"
	"github.com/redress-dev/redress/postgres"
)

const (
	// breachListCap keeps the breach list to what a person can work through.
	breachListCap = 50
	// defaultWindowDays is the analytics window when none is asked for.
	defaultWindowDays = 30
	// maxWindowDays keeps a window's scan bounded, as the analytics API does.
	maxWindowDays = 400
)

// supervisorView is what the supervisor page shows.
type supervisorView struct {
	Now       time.Time
	Zone      string
	From, To  string // the window's first and last day
	Levels    []int
	Workload  []workloadRow
	Totals    workloadRow
	Breaches  []breachRow
	BreachCap int
	Figures   []figure
	Charts    []template.HTML
}

// workloadRow is one person's line of the workload table, "" for the
// complaints nobody holds.
type workloadRow struct {
	Assignee          string
	Name              string
	Open              []int // by escalation level
	Breached          []int
	OpenTotal         int
	AcknowledgedToday int
	ResolvedToday     int
}

type breachRow struct {
	Complaint redress.Complaint
	Holder    string    // the assignee's name when known
	Clock     *slaClock // nil when no clock runs
}

type figure struct{ Label, Value string }

func (c *Console) registerSupervisor(g *echo.Group, supervisors echo.MiddlewareFunc) {
	g.GET("/supervisor", c.supervisor, supervisors)
}

// supervisor shows today's workload and the breaches, which update live,
// and the analytics of a window of days with charts. A live refresh asks
// only for the live regions, so it skips the analytics.
func (c *Console) supervisor(ctx echo.Context) error {
	rctx := ctx.Request().Context()
	w := wordsFor(ctx)
	basis := postgres.BasisOf(c.policy)
	zone := basis.Zone
	now := time.Now()
	today := dayStart(now.In(zone), 0)
	view := supervisorView{Now: now, Zone: c.policy.Timezone, BreachCap: breachListCap}
	from, to, err := analyticsWindow(ctx, w, today, &view)
	if err != nil {
		var e *redress.Error
		if errors.As(err, &e) {
			return c.render(ctx, http.StatusUnprocessableEntity, "message", page{Title: w.Text("console.supervisor"), Nav: "supervisor", Error: refusalText(e)})
		}
		return c.failure(ctx, err)
	}

	cells, err := c.db.Workload(rctx, today)
	if err != nil {
		return c.failure(ctx, err)
	}
	people, err := c.db.StaffUsers(rctx)
	if err != nil {
		return c.failure(ctx, err)
	}
	names := map[string]string{}
	for _, p := range people {
		names[p.Email] = p.Name
		if !p.Disabled && (p.Role == config.RoleAgent || p.Role == config.RoleSupervisor) {
			cells = append(cells, postgres.WorkloadCell{Assignee: p.Email})
		}
	}
	view.Levels, view.Workload, view.Totals = workloadTable(cells, names)

	breaches, err := c.db.Breaches(rctx, now, breachListCap)
	if err != nil {
		return c.failure(ctx, err)
	}
	for _, b := range breaches {
		view.Breaches = append(view.Breaches, breachRow{Complaint: b, Holder: cmp.Or(names[b.Assignee], b.Assignee), Clock: c.nextClock(b.State, b.SLARow, now)})
	}

	if ctx.Request().Header.Get("X-Console-Refresh") == "" {
		summary, err := c.db.Summary(rctx, basis, from, to)
		if err != nil {
			return c.failure(ctx, err)
		}
		trends, err := c.db.Trends(rctx, basis, from, to)
		if err != nil {
			return c.failure(ctx, err)
		}
		view.Figures = summaryFigures(w, summary)
		if view.Charts, err = trendCharts(w, trends); err != nil {
			return c.failure(ctx, err)
		}
	}
	if err := c.audit(ctx, viewerActor(ctx), redress.AuditReadComplaints, "supervisor", map[string]any{"where": "console"}); err != nil {
		return c.failure(ctx, err)
	}
	return c.render(ctx, http.StatusOK, "supervisor", page{Title: w.Text("console.supervisor"), Nav: "supervisor", Data: view})
}

// analyticsWindow reads the from and to days (inclusive, in the policy's
// zone; the last 30 days by default) into the view, and returns the window
// as instants: from the first day's start to the end of the last.
func analyticsWindow(ctx echo.Context, w locales.Catalog, today time.Time, view *supervisorView) (from, to time.Time, err error) {
	ch := &redress.Checker{}
	day := func(field string, fallback time.Time) time.Time {
		v := ctx.QueryParam(field)
		if v == "" {
			return fallback
		}
		t, err := time.ParseInLocation(time.DateOnly, v, today.Location())
		if err != nil {
			ch.Fail(field, "%s", w.Format("console.bad_date", "Example", today.Format(time.DateOnly)))
		}
		return t
	}
	first := day("from", dayStart(today, 1-defaultWindowDays))
	last := day("to", today)
	if err := ch.Err(); err != nil {
		return from, to, err
	}
	from, to = dayStart(first, 0), dayStart(last, 1)
	switch {
	case first.After(last):
		ch.Fail("from", "%s", w.Text("console.from_after_to"))
	case dayStart(first, maxWindowDays).Before(to):
		ch.Fail("from", "%s", w.Format("console.window_too_long", "Days", maxWindowDays))
	}
	view.From, view.To = first.Format(time.DateOnly), last.Format(time.DateOnly)
	return from, to, ch.Err()
}

// dayStart is the first instant of the day n days after t's, on t's wall
// clock.
func dayStart(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, t.Location())
}

// workloadTable turns the cells into one row per person, the unassigned
// first and then by name, and a row of totals.
func workloadTable(cells []postgres.WorkloadCell, names map[string]string) (levels []int, rows []workloadRow, totals workloadRow) {
	for l := 0; l <= redress.MaxEscalationLevel; l++ {
		levels = append(levels, l)
	}
	blank := func(assignee string) workloadRow {
		return workloadRow{Assignee: assignee, Name: cmp.Or(names[assignee], assignee),
			Open: make([]int, len(levels)), Breached: make([]int, len(levels))}
	}
	byAssignee := map[string]*workloadRow{}
	totals = blank("")
	for _, cell := range cells {
		r := byAssignee[cell.Assignee]
		if r == nil {
			row := blank(cell.Assignee)
			r = &row
			byAssignee[cell.Assignee] = r
		}
		level := min(max(cell.Level, 0), redress.MaxEscalationLevel)
		for _, t := range []*workloadRow{r, &totals} {
			t.Open[level] += cell.Open
			t.Breached[level] += cell.Breached
			t.OpenTotal += cell.Open
			t.AcknowledgedToday += cell.AcknowledgedToday
			t.ResolvedToday += cell.ResolvedToday
		}
	}
	for _, r := range byAssignee {
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(a, b workloadRow) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Assignee, b.Assignee)) // the unassigned have no name
	})
	return levels, rows, totals
}

func summaryFigures(w locales.Catalog, s *postgres.Summary) []figure {
	pct := func(p *float64) string {
		if p == nil {
			return w.Text("console.not_measured")
		}
		return number(*p) + "%"
	}
	csat := w.Text("console.not_measured")
	if s.CSAT.Average != nil {
		csat = strconv.FormatFloat(*s.CSAT.Average, 'f', 2, 64) + " / 5"
	}
	return []figure{{w.Text("console.filed_total"), strconv.Itoa(s.Total)}, {w.Text("console.ack_on_time"), pct(s.AckSLACompliance)},
		{w.Text("console.resolved_on_time"), pct(s.ResolveSLACompliance)}, {w.Text("console.csat_average"), csat},
		{w.Text("console.csat_answers"), strconv.Itoa(s.CSAT.Answered)}}
}

// trendCharts draws the window's four charts in the page's language.
func trendCharts(w locales.Catalog, t *postgres.Trends) ([]template.HTML, error) {
	frame := func(title, axis string, labels []string) chartFrame {
		return chartFrame{Title: w.Text(title), Axis: w.Text(axis), Labels: labels, Figures: w.Text("console.figures"),
			Total: w.Text("console.total"), Empty: w.Text("console.no_data")}
	}
	// A value's words, or the value itself where it has none.
	label := func(id, value string) string {
		if w.Has(id) {
			return w.Text(id)
		}
		return value
	}

	var days []string
	var categories []string
	for _, cat := range redress.Categories {
		categories = append(categories, string(cat))
	}
	for _, d := range t.Days {
		days = append(days, d.Day.Format(time.DateOnly))
		for cat := range d.ByCategory {
			if !slices.Contains(categories, cat) { // one the domain no longer lists
				categories = append(categories, cat)
			}
		}
	}
	stacks := make([]countSeries, len(categories))
	for i, cat := range categories {
		stacks[i].Name = label("console.category_"+cat, cat)
		for _, d := range t.Days {
			stacks[i].Counts = append(stacks[i].Counts, d.ByCategory[cat])
		}
	}
	volume, err := stackedBars(frame("console.chart_volume", "console.day", days), stacks)
	if err != nil {
		return nil, err
	}

	var weeks []string
	ack := percentSeries{Name: w.Text("console.ack_on_time")}
	resolve := percentSeries{Name: w.Text("console.resolved_on_time")}
	for _, wk := range t.Weeks {
		weeks = append(weeks, wk.Week.Format(time.DateOnly))
		ack.Values = append(ack.Values, wk.Ack)
		resolve.Values = append(resolve.Values, wk.Resolve)
	}
	compliance, err := percentLines(frame("console.chart_compliance", "console.week", weeks), []percentSeries{ack, resolve})
	if err != nil {
		return nil, err
	}

	scores := []string{"1", "2", "3", "4", "5"}
	csat, err := bars(frame("console.chart_csat", "console.csat_score", scores), w.Text("console.complaints"), t.CSAT[:], csatFills)
	if err != nil {
		return nil, err
	}

	var causes []string
	var counts []int
	for _, rc := range t.RootCauses {
		causes = append(causes, label("console.cause_"+rc.RootCause, rc.RootCause))
		counts = append(counts, rc.Count)
	}
	rootCauses, err := horizontalBars(frame("console.chart_causes", "console.root_cause", causes), w.Text("console.complaints"), counts)
	if err != nil {
		return nil, err
	}
	return []template.HTML{volume, compliance, csat, rootCauses}, nil
}
