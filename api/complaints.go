package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

func (s *Server) getComplaint(c echo.Context) error {
	complaint, err := s.db.Complaint(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, complaint)
}

type complaintList struct {
	Items      []redress.Complaint `json:"items"`
	NextCursor string              `json:"next_cursor"`
}

var listParams = []string{"status", "priority", "category", "customer_id", "escalated", "breached", "limit", "cursor"}

func (s *Server) listComplaints(c echo.Context) error {
	q := c.QueryParams()
	ch := &checker{}
	for name := range q {
		if !slices.Contains(listParams, name) {
			ch.fail(name, "unknown filter; use %s", list(listParams))
		}
	}
	f := postgres.ComplaintFilter{Status: redress.Status(q.Get("status")), Priority: redress.Priority(q.Get("priority")),
		Category: redress.Category(q.Get("category")), CustomerID: q.Get("customer_id"), Cursor: q.Get("cursor"), Limit: 50}
	enum(ch, "status", f.Status, false, redress.Statuses)
	enum(ch, "priority", f.Priority, false, redress.Priorities)
	enum(ch, "category", f.Category, false, redress.Categories)
	f.Escalated = boolParam(ch, q.Get("escalated"), "escalated")
	f.Breached = boolParam(ch, q.Get("breached"), "breached")
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			ch.fail("limit", "must be a whole number from 1 to 200")
		}
		f.Limit = n
	}
	if err := ch.err(); err != nil {
		return err
	}
	items, next, err := s.db.Complaints(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, complaintList{Items: items, NextCursor: next})
}

func boolParam(ch *checker, v, field string) *bool {
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		ch.fail(field, "must be true or false")
		return nil
	}
	return &b
}
