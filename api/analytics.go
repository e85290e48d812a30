package api

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// maxAnalyticsWindow keeps a summary's scan bounded.
const maxAnalyticsWindow = 400 * 24 * time.Hour

// analyticsSummary measures the complaints filed from `from` (inclusive) to
// `to`: by default the last 30 days.
func (s *Server) analyticsSummary(c echo.Context) error {
	from, to, err := analyticsWindow(c, &redress.Checker{})
	if err != nil {
		return err
	}
	summary, err := s.db.Summary(c.Request().Context(), s.basis, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, summary)
}

// analyticsTimeseries follows one metric over the window in buckets of a
// day, a week or a month of the policy's time zone, optionally broken down.
func (s *Server) analyticsTimeseries(c echo.Context) error {
	q := c.QueryParams()
	ch := &redress.Checker{}
	metric, interval, by := q.Get("metric"), q.Get("interval"), q.Get("by")
	metrics := slices.Sorted(maps.Keys(postgres.TimeseriesMetrics))
	redress.CheckEnum(ch, "metric", metric, true, metrics)
	if interval == "" {
		interval = "day"
	}
	redress.CheckEnum(ch, "interval", interval, false, postgres.TimeseriesIntervals)
	redress.CheckEnum(ch, "by", by, false, postgres.TimeseriesDimensions)
	from, to, err := analyticsWindow(c, ch, "metric", "interval", "by")
	if err != nil {
		return err
	}
	series, err := s.db.Timeseries(c.Request().Context(), s.basis, metric, interval, by, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, series)
}

// analyticsPrevention counts the window's root causes over time with their
// repeat complaints.
func (s *Server) analyticsPrevention(c echo.Context) error {
	ch := &redress.Checker{}
	interval := c.QueryParam("interval")
	if interval == "" {
		interval = "week"
	}
	redress.CheckEnum(ch, "interval", interval, false, postgres.TimeseriesIntervals)
	from, to, err := analyticsWindow(c, ch, "interval")
	if err != nil {
		return err
	}
	prevention, err := s.db.Prevention(c.Request().Context(), s.basis, interval, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, prevention)
}

// analyticsWinbacks measures the win-backs offered in the window by tier
// and by trigger: offers, coupons redeemed and their cost, customers won
// back and what they bought.
func (s *Server) analyticsWinbacks(c echo.Context) error {
	from, to, err := analyticsWindow(c, &redress.Checker{})
	if err != nil {
		return err
	}
	figures, err := s.db.WinbackAnalytics(c.Request().Context(), s.policy.Loyalty.Currency, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, figures)
}

// analyticsFollowUps counts the follow-ups that fell due in the window:
// recorded, their rate and outcomes.
func (s *Server) analyticsFollowUps(c echo.Context) error {
	from, to, err := analyticsWindow(c, &redress.Checker{})
	if err != nil {
		return err
	}
	figures, err := s.db.FollowUpAnalytics(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, figures)
}

type agentsAnswer struct {
	From   time.Time               `json:"from"`
	To     time.Time               `json:"to"`
	Agents []postgres.AgentFigures `json:"agents"`
}

// analyticsAgents measures each assignee over the window's complaints.
func (s *Server) analyticsAgents(c echo.Context) error {
	from, to, err := analyticsWindow(c, &redress.Checker{})
	if err != nil {
		return err
	}
	agents, err := s.db.AgentPerformance(c.Request().Context(), s.basis, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, agentsAnswer{From: from, To: to, Agents: agents})
}

// analyticsWindow reads `from` and `to`, RFC 3339 times: by default the 30
// days up to now, at most 400 days. Its error holds ch's faults too; other
// names than params and from and to are refused.
func analyticsWindow(c echo.Context, ch *redress.Checker, params ...string) (from, to time.Time, err error) {
	q := c.QueryParams()
	allowed := append([]string{"from", "to"}, params...)
	for name := range q {
		if !slices.Contains(allowed, name) {
			ch.Fail(name, "unknown parameter; use %s", strings.Join(allowed, ", "))
		}
	}
	to = time.Now().UTC()
	if v := q.Get("to"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			ch.Fail("to", "must be an RFC 3339 time like 2026-11-22T00:00:00Z")
		}
		to = t.UTC()
	}
	from = to.Add(-30 * 24 * time.Hour)
	if v := q.Get("from"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			ch.Fail("from", "must be an RFC 3339 time like 2026-11-01T00:00:00Z")
		}
		from = t.UTC()
	}
	if ch.Err() == nil {
		if !from.Before(to) {
			ch.Fail("from", "must be before to")
		} else if to.Sub(from) > maxAnalyticsWindow {
			ch.Fail("from", "the window may span at most 400 days")
		}
	}
	return from, to, ch.Err()
}
