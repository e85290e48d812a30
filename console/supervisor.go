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
	"github.com/redress-dev/redress/postgres"
)

var supervisorWords = map[string]map[string]string{
	"en": {
		"window_from": "From", "window_to": "To", "show": "Show",
		"workload": "Today's workload", "workload_help": "Open complaints by who holds them and their escalation level; acknowledged and resolved since midnight (%s).",
		"nobody": "Unassigned", "open_total": "Open", "n_breached": "%d breached", "acknowledged_today": "Acknowledged today",
		"resolved_today": "Resolved today", "total": "Total", "no_workload": "No complaint is open and none was acknowledged or resolved today.",
		"breaches": "Breached and overdue", "breaches_help": "Open complaints that breached an SLA or whose deadline has passed, the longest overdue first (at most %d).",
		"no_breaches": "No open complaint is overdue.", "subject": "Subject", "next_due": "Next deadline",
		"analytics": "Complaints filed from %s to %s", "analytics_help": "Days and weeks in %s; each complaint counts in the day and week it was filed.",
		"filed_total": "Filed", "ack_on_time": "Acknowledged on time", "resolved_on_time": "Resolved on time",
		"csat_average": "CSAT average", "csat_answers": "Survey answers", "not_measured": "—",
		"chart_volume": "Complaints filed per day, by category", "chart_compliance": "SLA compliance per week",
		"chart_csat": "CSAT scores", "chart_causes": "Root causes of resolved complaints",
		"day": "Day", "week": "Week from Monday", "csat_score": "Score", "complaints": "Complaints",
		"figures": "Show the figures", "no_data": "Nothing in this window.",
		"bad_date": "must be a date like %s", "from_after_to": "must not be after to", "window_too_long": "the window may span at most %d days",
		"cause_product_defect": "Product defect", "cause_process_gap": "Process gap", "cause_staff_behavior": "Staff behaviour",
		"cause_logistics": "Logistics", "cause_billing_error": "Billing error", "cause_customer_misunderstanding": "Customer misunderstanding",
		"cause_third_party": "Third party", "cause_other": "Other",
	},
	"zh": {
		"window_from": "开始日期", "window_to": "结束日期", "show": "查看",
		"workload": "今日工作量", "workload_help": "按处理人和升级级别统计的未结投诉；今日（%s 零点起）确认和解决的数量。",
		"nobody": "未分配", "open_total": "未结", "n_breached": "%d 件超时", "acknowledged_today": "今日确认",
		"resolved_today": "今日解决", "total": "合计", "no_workload": "没有未结投诉，今日也没有确认或解决的投诉。",
		"breaches": "已超时与逾期", "breaches_help": "已违反 SLA 或已过截止时间的未结投诉，逾期最久的在前（最多 %d 件）。",
		"no_breaches": "没有逾期的未结投诉。", "subject": "主题", "next_due": "下一个截止时间",
		"analytics": "%s 至 %s 提交的投诉", "analytics_help": "日期和周按 %s 计算；每件投诉计入其提交的那一天和那一周。",
		"filed_total": "提交数", "ack_on_time": "按时确认率", "resolved_on_time": "按时解决率",
		"csat_average": "满意度均分", "csat_answers": "问卷回复数", "not_measured": "—",
		"chart_volume": "每日投诉量（按类别）", "chart_compliance": "每周 SLA 达成率",
		"chart_csat": "满意度评分分布", "chart_causes": "已解决投诉的根本原因",
		"day": "日期", "week": "周（自周一起）", "csat_score": "评分", "complaints": "投诉数",
		"figures": "查看数据", "no_data": "此时间段内没有数据。",
		"bad_date": "应为日期，例如 %s", "from_after_to": "不能晚于结束日期", "window_too_long": "时间段最长为 %d 天",
		"cause_product_defect": "产品缺陷", "cause_process_gap": "流程缺失", "cause_staff_behavior": "员工行为",
		"cause_logistics": "物流", "cause_billing_error": "账单错误", "cause_customer_misunderstanding": "客户误解",
		"cause_third_party": "第三方", "cause_other": "其他",
	},
}

// vocabulary is every page's words by language, for text the handlers
// build themselves (the charts).
var vocabulary = words()

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
	w := vocabulary[viewerOf(ctx).Lang]
	basis := postgres.BasisOf(c.policy)
	zone := basis.Zone
	now := time.Now()
	today := dayStart(now.In(zone), 0)
	view := supervisorView{Now: now, Zone: c.policy.Timezone, BreachCap: breachListCap}
	from, to, err := analyticsWindow(ctx, w, today, &view)
	if err != nil {
		var e *redress.Error
		if errors.As(err, &e) {
			return c.render(ctx, http.StatusUnprocessableEntity, "message", page{Title: w["supervisor"], Nav: "supervisor", Error: refusalText(e)})
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
		view.Breaches = append(view.Breaches, breachRow{Complaint: b, Holder: cmp.Or(names[b.Assignee], b.Assignee), Clock: c.nextClock(b.State, now)})
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
	return c.render(ctx, http.StatusOK, "supervisor", page{Title: w["supervisor"], Nav: "supervisor", Data: view})
}

// analyticsWindow reads the from and to days (inclusive, in the policy's
// zone; the last 30 days by default) into the view, and returns the window
// as instants: from the first day's start to the end of the last.
func analyticsWindow(ctx echo.Context, w map[string]string, today time.Time, view *supervisorView) (from, to time.Time, err error) {
	ch := &redress.Checker{}
	day := func(field string, fallback time.Time) time.Time {
		v := ctx.QueryParam(field)
		if v == "" {
			return fallback
		}
		t, err := time.ParseInLocation(time.DateOnly, v, today.Location())
		if err != nil {
			ch.Fail(field, w["bad_date"], today.Format(time.DateOnly))
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
		ch.Fail("from", "%s", w["from_after_to"])
	case dayStart(first, maxWindowDays).Before(to):
		ch.Fail("from", w["window_too_long"], maxWindowDays)
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

func summaryFigures(w map[string]string, s *postgres.Summary) []figure {
	pct := func(p *float64) string {
		if p == nil {
			return w["not_measured"]
		}
		return number(*p) + "%"
	}
	csat := w["not_measured"]
	if s.CSAT.Average != nil {
		csat = strconv.FormatFloat(*s.CSAT.Average, 'f', 2, 64) + " / 5"
	}
	return []figure{{w["filed_total"], strconv.Itoa(s.Total)}, {w["ack_on_time"], pct(s.AckSLACompliance)},
		{w["resolved_on_time"], pct(s.ResolveSLACompliance)}, {w["csat_average"], csat},
		{w["csat_answers"], strconv.Itoa(s.CSAT.Answered)}}
}

// trendCharts draws the window's four charts in the page's language.
func trendCharts(w map[string]string, t *postgres.Trends) ([]template.HTML, error) {
	frame := func(title, axis string, labels []string) chartFrame {
		return chartFrame{Title: w[title], Axis: w[axis], Labels: labels, Figures: w["figures"], Total: w["total"], Empty: w["no_data"]}
	}
	// A value's words, or the value itself where it has none.
	label := func(prefix, value string) string { return cmp.Or(w[prefix+value], value) }

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
		stacks[i].Name = label("category_", cat)
		for _, d := range t.Days {
			stacks[i].Counts = append(stacks[i].Counts, d.ByCategory[cat])
		}
	}
	volume, err := stackedBars(frame("chart_volume", "day", days), stacks)
	if err != nil {
		return nil, err
	}

	var weeks []string
	ack := percentSeries{Name: w["ack_on_time"]}
	resolve := percentSeries{Name: w["resolved_on_time"]}
	for _, wk := range t.Weeks {
		weeks = append(weeks, wk.Week.Format(time.DateOnly))
		ack.Values = append(ack.Values, wk.Ack)
		resolve.Values = append(resolve.Values, wk.Resolve)
	}
	compliance, err := percentLines(frame("chart_compliance", "week", weeks), []percentSeries{ack, resolve})
	if err != nil {
		return nil, err
	}

	scores := []string{"1", "2", "3", "4", "5"}
	csat, err := bars(frame("chart_csat", "csat_score", scores), w["complaints"], t.CSAT[:], csatFills)
	if err != nil {
		return nil, err
	}

	var causes []string
	var counts []int
	for _, rc := range t.RootCauses {
		causes = append(causes, label("cause_", rc.RootCause))
		counts = append(counts, rc.Count)
	}
	rootCauses, err := horizontalBars(frame("chart_causes", "root_cause", causes), w["complaints"], counts)
	if err != nil {
		return nil, err
	}
	return []template.HTML{volume, compliance, csat, rootCauses}, nil
}
