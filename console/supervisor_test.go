package console_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// consoleServer is the console over a fresh database, as the API serves it.
type consoleServer struct {
	t  *testing.T
	db *postgres.DB
	h  http.Handler
}

func newConsoleServer(t *testing.T) *consoleServer {
	db := redresstest.NewDB(t)
	return &consoleServer{t: t, db: db, h: redresstest.ConsoleHandler(t, db)}
}

// signIn makes an account with the role, named by its e-mail's local part,
// and returns its session's cookie.
func (s *consoleServer) signIn(email, role string) *http.Cookie {
	return redresstest.ConsoleSession(s.t, s.db, email, strings.Split(email, "@")[0], role)
}

func (s *consoleServer) get(path string, cookie *http.Cookie, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(cookie)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// complaint files a complaint at filed and moves it to state.
func (s *consoleServer) complaint(customerID, subject string, category redress.Category, filed time.Time, state redress.State) string {
	s.t.Helper()
	ctx := context.Background()
	id := uuid.Must(uuid.NewV7()).String()
	hash := sha256.Sum256([]byte(id))
	f := postgres.Filing{TrackingTokenHash: hash[:],
		Complaint: redress.Complaint{ID: id, CustomerID: customerID, Category: category, Severity: redress.SeverityMedium,
			Channel: redress.ChannelWeb, Subject: subject, Description: "d", CreatedAt: filed,
			State: redress.State{Status: redress.StatusReceived, Priority: redress.P3}},
		Received: redress.TimelineEntry{At: filed, Actor: "web", Kind: "received", Public: true, Detail: "received"}}
	if _, err := s.db.CreateComplaint(ctx, postgres.Intake{Customer: redress.Customer{ID: customerID},
		Build: func(*redress.Customer, []redress.DuplicateCandidate) postgres.Filing { return f }}); err != nil {
		s.t.Fatal(err)
	}
	if err := s.db.ApplyChange(ctx, redress.Change{ComplaintID: id, Seq: 2, State: state}, nil); err != nil {
		s.t.Fatal(err)
	}
	return id
}

func TestSupervisorPage(t *testing.T) {
	s := newConsoleServer(t)
	ctx := context.Background()
	supervisor := s.signIn("lin@example.com", "supervisor")
	agent := s.signIn("ana@example.com", "agent")
	cust, _, err := s.db.UpsertCustomer(ctx, redress.Customer{ExternalID: "c1", Name: "Li Wei", Tier: redress.TierStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	// Acknowledged and resolved today in the policy's zone, however soon
	// after its midnight the test runs.
	shanghai, _ := time.LoadLocation(redress.DefaultPolicy().Timezone)
	y, m, d := now.In(shanghai).Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, shanghai)
	earlierToday := midnight.Add(now.Sub(midnight) / 2)
	score := func(n int) redress.Survey { return redress.Survey{Status: "answered", Score: &n} }

	overdue := s.complaint(cust.ID, `Kettle <b>smokes</b> & sparks`, redress.CategorySafety, now.Add(-3*time.Hour), redress.State{
		Status: redress.StatusReceived, Priority: redress.P1, Assignee: "ana@example.com", SLABreached: true, AckDueAt: at(-time.Hour)})
	waiting := s.complaint(cust.ID, "Where is my parcel", redress.CategoryDelivery, now.Add(-2*time.Hour), redress.State{
		Status: redress.StatusAcknowledged, Priority: redress.P3, EscalationLevel: 1, AcknowledgedAt: &earlierToday, ResolveDueAt: at(5 * time.Hour)})
	s.complaint(cust.ID, "Charged twice", redress.CategoryBilling, now.Add(-30*time.Minute), redress.State{
		Status: redress.StatusResolved, Priority: redress.P3, Assignee: "ana@example.com",
		AcknowledgedAt: &earlierToday, ResolvedAt: &earlierToday,
		Resolution: &redress.Resolution{Type: "refund", Summary: "s", RootCause: "billing_error"}, Survey: score(5)})
	s.complaint(cust.ID, "Broken lid", redress.CategoryProductQuality, now.Add(-72*time.Hour), redress.State{
		Status: redress.StatusClosed, Priority: redress.P3, Assignee: "ana@example.com",
		Resolution: &redress.Resolution{Type: "replacement", Summary: "s", RootCause: "product_defect"}, Survey: score(2)})

	r := s.get("/console/supervisor", supervisor)
	if r.Code != http.StatusOK {
		t.Fatalf("supervisor page: %d\n%s", r.Code, r.Body)
	}
	page := r.Body.String()
	if strings.Contains(page, "style=") || strings.Contains(page, "<style") || strings.Contains(page, "<script>") {
		t.Errorf("inline style or script, which the console's Content-Security-Policy forbids")
	}
	workload := region(t, page, "workload")
	// ana holds the overdue complaint at level 0, and acknowledged and
	// resolved the billing one today; nobody holds the parcel, at level 1.
	if got, want := rowCells(workload, `data-assignee="ana@example.com"`), "ana|1 1 breached|0|0|0|1|1|1"; got != want {
		t.Errorf("ana's workload %q, want %q", got, want)
	}
	if got, want := rowCells(workload, `data-assignee=""`), "Unassigned|0|1|0|0|1|1|0"; got != want {
		t.Errorf("the unassigned workload %q, want %q", got, want)
	}
	if got, want := rowCells(workload, `class="total"`), "Total|1 1 breached|1|0|0|2|2|1"; got != want {
		t.Errorf("the totals %q, want %q", got, want)
	}
	// lin, a supervisor holding nothing, has a line of zeros.
	if got, want := rowCells(workload, `data-assignee="lin@example.com"`), "lin|0|0|0|0|0|0|0"; got != want {
		t.Errorf("lin's workload %q, want %q", got, want)
	}

	breaches := region(t, page, "breaches")
	if !strings.Contains(breaches, `href="/console/complaints/`+overdue+`"`) || strings.Contains(breaches, waiting) {
		t.Errorf("the breach list should hold the overdue complaint only:\n%s", breaches)
	}
	if !strings.Contains(breaches, "Kettle &lt;b&gt;smokes&lt;/b&gt; &amp; sparks") {
		t.Errorf("the subject is not escaped:\n%s", breaches)
	}
	if !regexp.MustCompile(`<span class="clock breached" data-due="` + regexp.QuoteMeta(now.Add(-time.Hour).Format(time.RFC3339)) + `" data-warn="[^"]+"`).MatchString(breaches) {
		t.Errorf("no overdue countdown for the acknowledgement deadline:\n%s", breaches)
	}

	for _, figure := range []string{"<dt>Filed</dt><dd>4</dd>", "<dt>Acknowledged on time</dt><dd>100%</dd>", "<dt>CSAT average</dt><dd>3.50 / 5</dd>"} {
		if !strings.Contains(page, figure) {
			t.Errorf("the analytics lack %s", figure)
		}
	}
	if n := strings.Count(page, `<svg xmlns="http://www.w3.org/2000/svg" class="chart"`); n != 4 {
		t.Errorf("%d charts, want 4", n)
	}
	for _, bar := range []string{"· Safety: 1</title>", "<title>Billing error: 1</title>", "<title>5: 1</title>", "<title>2: 1</title>"} {
		if !strings.Contains(page, bar) {
			t.Errorf("no bar titled %s", bar)
		}
	}

	live := s.get("/console/supervisor", supervisor, "X-Console-Refresh", "1").Body.String()
	if region(t, live, "workload") != workload || strings.Contains(live, "<svg") {
		t.Errorf("a live refresh should carry the same live regions and skip the charts")
	}
	zh := s.get("/console/supervisor", supervisor, "Accept-Language", "zh-CN").Body.String()
	if !strings.Contains(zh, "今日工作量") || !strings.Contains(zh, "每日投诉量") {
		t.Errorf("the page is not in Chinese for a Chinese browser")
	}

	if r := s.get("/console/supervisor", agent); r.Code != http.StatusForbidden {
		t.Errorf("an agent got %d, want 403", r.Code)
	}
	for query, want := range map[string]string{
		"?from=2026-13-01":                 "from: must be a date like",
		"?to=yesterday":                    "to: must be a date like",
		"?from=2026-11-10&to=2026-11-01":   "from: must not be after to",
		"?from=2024-01-01&to=2026-01-01":   "from: the window may span at most 400 days",
		"?from=2026-11-10&to=2026-11-10&x": "",
	} {
		r := s.get("/console/supervisor"+query, supervisor)
		if want == "" {
			if r.Code != http.StatusOK {
				t.Errorf("%s: %d, want 200 for a one-day window", query, r.Code)
			}
			continue
		}
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body.String(), want) {
			t.Errorf("%s: %d, want 422 saying %q:\n%s", query, r.Code, want, r.Body)
		}
	}
}

// region is the page's element with the id, which must be a live region.
func region(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<section class="card" id="`+id+`" data-live>`)
	if start < 0 {
		t.Fatalf("no live region %q in the page", id)
	}
	end := strings.Index(page[start:], "</section>")
	return page[start : start+end]
}

var tags = regexp.MustCompile(`<[^>]*>`)

// rowCells is the text of the table row whose <tr> carries marker, one
// cell after another, joined by |.
func rowCells(html, marker string) string {
	start := strings.Index(html, "<tr "+marker)
	if start < 0 {
		return "no row " + marker
	}
	row := html[start : start+strings.Index(html[start:], "</tr>")]
	var cells []string
	for _, cell := range regexp.MustCompile(`(?s)<t[hd][ >].*?</t[hd]>`).FindAllString(row, -1) {
		cells = append(cells, strings.Join(strings.Fields(tags.ReplaceAllString(cell, "")), " "))
	}
	return strings.Join(cells, "|")
}
