package console_test

import (
	"context"
	"crypto/sha256"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// signedIn serves the console and returns a request maker carrying the
// session of a new agent, whose e-mail it also returns.
func signedIn(t *testing.T, db *postgres.DB) (get func(path string) (int, string), email string) {
	t.Helper()
	email = "ana@example.com"
	console, session := redresstest.Console(t, db, email, "agent")
	return func(path string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(session)
		rec := httptest.NewRecorder()
		console.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		return rec.Code, string(body)
	}, email
}

// shownRow is a queue row as the page shows it.
type shownRow struct {
	id, due, state, kind string
}

var (
	rowPattern   = regexp.MustCompile(`(?s)<tr data-href="/console/complaints/([^"]+)".*?</tr>`)
	clockPattern = regexp.MustCompile(`class="clock (on_track|warned|breached)" data-due="([^"]+)" data-warn="[^"]+" data-kind="([^"]+)"`)
	nextPattern  = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

// queueRows follows a queue's pages through the handler and returns every
// row.
func queueRows(t *testing.T, get func(string) (int, string), path string) []shownRow {
	t.Helper()
	var rows []shownRow
	for pages := 0; path != ""; pages++ {
		status, body := get(path)
		if status != http.StatusOK || pages > 50 {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		for _, m := range rowPattern.FindAllStringSubmatch(body, -1) {
			r := shownRow{id: m[1]}
			if c := clockPattern.FindStringSubmatch(m[0]); c != nil {
				r.state, r.due, r.kind = c[1], c[2], c[3]
			}
			rows = append(rows, r)
		}
		path = ""
		if m := nextPattern.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return rows
}

// TestQueuePagesFollowTheStoredDeadlines files complaints with random
// deadlines and checks each queue page against the stored complaints: the
// rows in deadline order, each countdown aimed at the stored deadline and
// coloured by the time left.
func TestQueuePagesFollowTheStoredDeadlines(t *testing.T) {
	db := redresstest.NewDB(t)
	ctx := context.Background()
	get, me := signedIn(t, db)
	customer, _, err := db.UpsertCustomer(ctx, redress.Customer{ExternalID: "c1", Name: "Zhou Lan", Tier: redress.TierGold}, "test")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	now := time.Now().UTC().Truncate(time.Second)
	var ids []string
	for i := range 75 {
		id := uuid.NewString()
		s := redress.State{Status: redress.OpenStatuses[rng.IntN(len(redress.OpenStatuses))],
			Priority: redress.Priorities[rng.IntN(4)], Assignee: []string{me, "bo@example.com", ""}[rng.IntN(3)]}
		if i%10 == 9 {
			s.Status = redress.StatusClosed
		}
		for _, due := range []**time.Time{&s.AckDueAt, &s.ResolveDueAt} {
			if rng.IntN(3) > 0 {
				at := now.Add(time.Duration(rng.IntN(96*60)-6*60) * time.Minute)
				*due = &at
			}
		}
		hash := sha256.Sum256([]byte(id))
		f := postgres.Filing{Complaint: redress.Complaint{ID: id, CustomerID: customer.ID, Category: redress.CategoryDelivery,
			Severity: redress.SeverityLow, Channel: redress.ChannelChat, Subject: "Parcel " + id[:8], Description: "late",
			CreatedAt: now.Add(-time.Duration(i) * time.Hour), State: s}, TrackingTokenHash: hash[:],
			Received:      redress.TimelineEntry{At: now, Actor: "chat", Kind: "received", Public: true, Detail: "received"},
			ReceivedEvent: redress.Event{ID: id + "-1", Type: redress.EventReceived, OccurredAt: now, ComplaintID: id, CustomerID: customer.ID}}
		if _, err := db.CreateComplaint(ctx, postgres.Intake{Customer: redress.Customer{ID: customer.ID},
			Build: func(*redress.Customer, []redress.DuplicateCandidate) postgres.Filing { return f }}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}

	stored := map[string]*redress.Complaint{}
	for _, id := range ids {
		if stored[id], err = db.Complaint(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	policy := redress.DefaultPolicy()
	// left is how much of a window remains when its warning falls; the
	// default policy counts wall time.
	left := func(p redress.Priority, kind string) time.Duration {
		window := policy.SLA[p].AckWithin.D()
		if kind == "resolve" {
			window = policy.SLA[p].ResolveWithin.D()
		}
		return time.Duration(float64(window) * (1 - policy.AckWarningAt))
	}
	soon := func(due *time.Time, p redress.Priority, kind string) bool {
		return due != nil && !due.After(now.Add(left(p, kind)))
	}
	for _, queue := range []string{"open", "mine", "unassigned", "breaching"} {
		var want []string
		for _, id := range ids {
			c := stored[id]
			member := map[string]bool{"open": true, "mine": c.Assignee == me, "unassigned": c.Assignee == "",
				"breaching": soon(c.AckDueAt, c.Priority, "ack") || soon(c.ResolveDueAt, c.Priority, "resolve")}
			if c.Status.Open() && member[queue] {
				want = append(want, id)
			}
		}
		slices.SortFunc(want, func(a, b string) int {
			da, oka := nextDeadline(stored[a])
			db, okb := nextDeadline(stored[b])
			if oka != okb {
				if oka {
					return -1
				}
				return 1
			}
			if c := da.Compare(db); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		var got []string
		for _, r := range queueRows(t, get, "/console/queues/"+queue) {
			got = append(got, r.id)
			c := stored[r.id]
			// The row shows the first deadline unless the other is
			// further along (warned or overdue while the first is not).
			stateOf := func(due *time.Time, kind string) int {
				switch {
				case !due.After(now):
					return 2
				case soon(due, c.Priority, kind):
					return 1
				}
				return 0
			}
			due, running := nextDeadline(c)
			kind := "ack"
			if c.AckDueAt == nil || (c.ResolveDueAt != nil && c.ResolveDueAt.Before(*c.AckDueAt)) {
				kind = "resolve"
			}
			if running && c.AckDueAt != nil && c.ResolveDueAt != nil {
				other, otherKind := *c.ResolveDueAt, "resolve"
				if kind == "resolve" {
					other, otherKind = *c.AckDueAt, "ack"
				}
				if stateOf(&other, otherKind) > stateOf(&due, kind) {
					due, kind = other, otherKind
				}
			}
			state := []string{"on_track", "warned", "breached"}[stateOf(&due, kind)]
			switch {
			case !running && r.due != "":
				t.Errorf("%s: complaint %s has no deadline but shows a countdown to %s", queue, r.id, r.due)
			case running && r.due != due.UTC().Format(time.RFC3339):
				t.Errorf("%s: complaint %s counts down to %q, stored deadline %s", queue, r.id, r.due, due)
			case running && (r.state != state || r.kind != kind):
				t.Errorf("%s: complaint %s's %s clock due %s shows %q, want %q", queue, r.id, r.kind, due, r.state, state)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("queue %s shows\n%v\nwant\n%v", queue, got, want)
		}
	}
	sought := ids[0]
	if rows := queueRows(t, get, "/console/queues/open?q="+url.QueryEscape(stored[sought].Subject)); len(rows) != 1 || rows[0].id != sought {
		t.Errorf("searching for %q shows %v, want only %s", stored[sought].Subject, rows, sought)
	}
}

// nextDeadline is the complaint's first stored deadline.
func nextDeadline(c *redress.Complaint) (time.Time, bool) {
	var first *time.Time
	for _, t := range []*time.Time{c.AckDueAt, c.ResolveDueAt} {
		if t != nil && (first == nil || t.Before(*first)) {
			first = t
		}
	}
	if first == nil {
		return time.Time{}, false
	}
	return *first, true
}

func TestQueuePageRefusesBadInput(t *testing.T) {
	db := redresstest.NewDB(t)
	get, _ := signedIn(t, db)
	if status, _ := get("/console/queues/everything"); status != http.StatusNotFound {
		t.Errorf("an unknown queue: %d, want 404", status)
	}
	for param, field := range map[string]string{"priority=P9": "priority", "tier=platinum": "tier", "level=4": "level",
		"channel=fax": "channel", "category=x": "category", "cursor=bogus": "cursor"} {
		status, body := get("/console/queues/open?" + param)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, field+": ") || strings.Contains(body, "<table") {
			t.Errorf("%s: %d, want 422 naming %s and no table:\n%s", param, status, field, body)
		}
	}
}
