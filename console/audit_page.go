package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// auditView is what the audit page shows: a page of the log, newest
// first, under the filters asked for.
type auditView struct {
	Actor, Action, Target string
	Actions               []string
	Lines                 []redress.AuditLine
	Next                  string // the next page's address
}

var auditActions = []string{redress.AuditSignIn, redress.AuditReadComplaint, redress.AuditReadComplaints, redress.AuditReadCustomer,
	redress.AuditDecode, redress.AuditExport, redress.AuditErase, redress.AuditMergeComplaints, redress.AuditMergeCustomers,
	redress.AuditEditCustomer, redress.AuditUserChange, redress.AuditKeyChange, redress.AuditWebhookChange, redress.AuditWebhookDisabled}

// auditPage shows the audit log to admins.
func (c *Console) auditPage(ctx echo.Context) error {
	v := auditView{Actor: ctx.QueryParam("actor"), Action: ctx.QueryParam("action"), Target: ctx.QueryParam("target"), Actions: auditActions}
	f := postgres.AuditFilter{Actor: v.Actor, Action: v.Action, Target: v.Target, Limit: 100}
	if before, err := strconv.ParseInt(ctx.QueryParam("before"), 10, 64); err == nil && before > 0 {
		f.Before = before
	}
	lines, next, err := c.db.AuditLog(ctx.Request().Context(), f)
	if err != nil {
		return c.failure(ctx, err)
	}
	v.Lines = lines
	if next > 0 {
		q := url.Values{"actor": {v.Actor}, "action": {v.Action}, "target": {v.Target}, "before": {strconv.FormatInt(next, 10)}}
		v.Next = "/console/audit?" + q.Encode()
	}
	return c.render(ctx, http.StatusOK, "audit", page{Title: wordsFor(ctx).Text("console.audit"), Nav: "audit", Data: v})
}
