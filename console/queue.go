package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// queueOrder lists the queues as the navigation shows them.
var queueOrder = postgres.Queues

func (c *Console) registerQueues(g *echo.Group) {
	g.GET("/queues/:queue", c.queue)
}

// queueFilter is what the filter form asked for, as the form shows it.
type queueFilter struct {
	Priority, Category, Channel, Tier, Level, Search string
}

// queueView is what the queue page shows.
type queueView struct {
	Name    string
	Filter  queueFilter
	Rows    []queueRow
	Now     time.Time
	Next    string // the next page's address, "" on the last page
	First   string // the first page's address, "" on the first page
	Choices queueChoices
}

// queueChoices are the filter form's options.
type queueChoices struct {
	Priorities []redress.Priority
	Categories []redress.Category
	Channels   []redress.Channel
	Tiers      []redress.Tier
	Levels     []int
}

// queueRow is one complaint of the queue with its next clock (nil when
// none runs; its ResolvePausedAt says whether the resolution clock stands
// still while the customer owes an answer).
type queueRow struct {
	postgres.QueueItem
	Clock *slaClock
}

func (c *Console) queue(ctx echo.Context) error {
	name := ctx.Param("queue")
	if !slices.Contains(queueOrder, name) {
		return c.failure(ctx, redress.Errorf(redress.ENOTFOUND, "There is no queue %q.", name))
	}
	v := viewerOf(ctx)
	now := time.Now()
	f, q, err := c.queueQuery(ctx)
	if err != nil {
		return c.refuseQueue(ctx, name, err)
	}
	q.Queue, q.Assignee, q.BreachingBy = name, v.User.Email, c.policy.WarningHorizons(now, c.calendars)
	items, next, err := c.db.Queue(ctx.Request().Context(), q)
	if err != nil {
		return c.refuseQueue(ctx, name, err)
	}
	view := queueView{Name: name, Filter: f, Now: now, Choices: queueChoices{
		Priorities: redress.Priorities, Categories: redress.Categories, Channels: redress.Channels,
		Tiers: redress.Tiers, Levels: []int{0, 1, 2, 3}}}
	for _, it := range items {
		view.Rows = append(view.Rows, c.queueRow(it, now))
	}
	if next != "" {
		view.Next = f.address(name, next)
	}
	if q.Cursor != "" {
		view.First = f.address(name, "")
	}
	if err := c.audit(ctx, viewerActor(ctx), redress.AuditReadComplaints, "queue:"+name, map[string]any{"where": "console", "count": len(view.Rows)}); err != nil {
		return c.failure(ctx, err)
	}
	return c.render(ctx, http.StatusOK, "queue", page{Title: wordsFor(ctx).Text("console.queue_" + name), Nav: name, Data: view})
}

// refuseQueue shows bad filters (or a cursor this console did not hand out)
// with the queue's tab still current, each fault named; anything else is a
// failure.
func (c *Console) refuseQueue(ctx echo.Context, name string, err error) error {
	var e *redress.Error
	if errors.As(err, &e) && e.Code == redress.EINVALID {
		return c.render(ctx, http.StatusUnprocessableEntity, "message", page{Title: http.StatusText(http.StatusUnprocessableEntity),
			Nav: name, Error: refusalText(e)})
	}
	return c.failure(ctx, err)
}

// queueQuery reads and checks the filters; a bad one is EINVALID naming it.
func (c *Console) queueQuery(ctx echo.Context) (queueFilter, postgres.QueueQuery, error) {
	f := queueFilter{Priority: ctx.QueryParam("priority"), Category: ctx.QueryParam("category"),
		Channel: ctx.QueryParam("channel"), Tier: ctx.QueryParam("tier"), Level: ctx.QueryParam("level"),
		Search: strings.TrimSpace(ctx.QueryParam("q"))}
	q := postgres.QueueQuery{Priority: redress.Priority(f.Priority), Category: redress.Category(f.Category),
		Channel: redress.Channel(f.Channel), Tier: redress.Tier(f.Tier), Search: f.Search, Cursor: ctx.QueryParam("cursor")}
	ch := &redress.Checker{}
	redress.CheckEnum(ch, "priority", q.Priority, false, redress.Priorities)
	redress.CheckEnum(ch, "category", q.Category, false, redress.Categories)
	redress.CheckEnum(ch, "channel", q.Channel, false, redress.Channels)
	redress.CheckEnum(ch, "tier", q.Tier, false, redress.Tiers)
	if f.Level != "" {
		n, err := strconv.Atoi(f.Level)
		if err != nil || n < 0 || n > redress.MaxEscalationLevel {
			ch.Fail("level", "must be an escalation level from 0 to %d", redress.MaxEscalationLevel)
		}
		q.Level = &n
	}
	ch.Text("q", f.Search, false, 200)
	return f, q, ch.Err()
}

// address is the queue's page with the same filters from cursor on.
func (f queueFilter) address(queue, cursor string) string {
	v := url.Values{}
	for _, p := range [][2]string{{"priority", f.Priority}, {"category", f.Category}, {"channel", f.Channel},
		{"tier", f.Tier}, {"level", f.Level}, {"q", f.Search}, {"cursor", cursor}} {
		if p[1] != "" {
			v.Set(p[0], p[1])
		}
	}
	if len(v) == 0 {
		return "/console/queues/" + queue
	}
	return "/console/queues/" + queue + "?" + v.Encode()
}

func (c *Console) queueRow(it postgres.QueueItem, now time.Time) queueRow {
	clock := c.nextClock(redress.State{Status: it.Status, Priority: it.Priority,
		AckDueAt: it.AckDueAt, ResolveDueAt: it.ResolveDueAt, ResolvePausedAt: it.ResolvePausedAt}, it.SLARow, now)
	return queueRow{QueueItem: it, Clock: clock}
}
