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
	key := caller(c)
	if !filedByCaller(key, complaint) {
		return redress.Errorf(redress.ENOTFOUND, "no complaint %q among those this key filed", c.Param("id"))
	}
	if intakeCaller(key) {
		complaint = filerView(complaint)
	}
	if err := s.audit(c, keyActor(c), redress.AuditReadComplaint, "complaint:"+complaint.ID, map[string]any{"where": "api"}); err != nil {
		return err
	}
	view := complaintView{Complaint: complaint}
	if s.inboundDomain != "" {
		view.ReplyAddress = s.tokens.ReplyAddress(complaint.ID, s.inboundDomain)
	}
	return c.JSON(http.StatusOK, view)
}

// complaintView is a complaint as staff read it, with the address at which
// the customer's mail joins it when inbound mail is on.
type complaintView struct {
	*redress.Complaint
	ReplyAddress string `json:"reply_address,omitempty"`
}

type complaintList struct {
	Items      []redress.Complaint `json:"items"`
	NextCursor string              `json:"next_cursor"`
}

var listParams = []string{"status", "priority", "category", "customer_id", "escalated", "breached", "limit", "cursor"}

func (s *Server) listComplaints(c echo.Context) error {
	q := c.QueryParams()
	ch := &redress.Checker{}
	for name := range q {
		if !slices.Contains(listParams, name) {
			ch.Fail(name, "unknown filter; use %s", redress.List(listParams))
		}
	}
	f := postgres.ComplaintFilter{Status: redress.Status(q.Get("status")), Priority: redress.Priority(q.Get("priority")),
		Category: redress.Category(q.Get("category")), CustomerID: q.Get("customer_id"), Cursor: q.Get("cursor"), Limit: 50}
	redress.CheckEnum(ch, "status", f.Status, false, redress.Statuses)
	redress.CheckEnum(ch, "priority", f.Priority, false, redress.Priorities)
	redress.CheckEnum(ch, "category", f.Category, false, redress.Categories)
	f.Escalated = boolParam(ch, q.Get("escalated"), "escalated")
	f.Breached = boolParam(ch, q.Get("breached"), "breached")
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			ch.Fail("limit", "must be a whole number from 1 to 200")
		}
		f.Limit = n
	}
	if err := ch.Err(); err != nil {
		return err
	}
	key := caller(c)
	if intakeCaller(key) {
		f.FiledBy = key.Name
	}
	items, next, err := s.db.Complaints(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if intakeCaller(key) {
		for i := range items {
			items[i] = *filerView(&items[i])
		}
	}
	if err := s.audit(c, keyActor(c), redress.AuditReadComplaints, "complaints", map[string]any{"where": "api", "count": len(items)}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, complaintList{Items: items, NextCursor: next})
}

func boolParam(ch *redress.Checker, v, field string) *bool {
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		ch.Fail(field, "must be true or false")
		return nil
	}
	return &b
}
