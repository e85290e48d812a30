package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/postgres"
)

var complaintWords = map[string]map[string]string{
	"en": {
		"customer": "Customer", "tier": "Tier", "contact": "Contact", "earlier": "Earlier complaints", "none": "None",
		"score": "Score", "winback": "Win-back", "clocks": "SLA clocks", "clock_ack": "Acknowledge by",
		"clock_resolve": "Resolve by", "paused_since": "Resolution clock paused since", "time_left": "time left",
		"no_clock": "No clock runs.", "timeline": "Timeline", "internal": "internal", "customer_saw": "seen by the customer",
		"actions": "Actions", "acknowledge": "Acknowledge", "assign": "Assign", "assign_to": "Assign to",
		"reply": "Reply to the customer", "message": "Message", "wait_on_customer": "Wait on the customer's answer (pauses the resolution clock)",
		"send": "Send", "note": "Internal note", "note_help": "Only staff see notes.", "add_note": "Add note",
		"escalate": "Escalate", "reason": "Reason", "resolve": "Resolve", "resolution_type": "Resolution",
		"root_cause": "Root cause", "summary": "Summary", "compensation": "Compensation (optional)", "amount": "Amount",
		"currency": "Currency", "no_actions": "No action is open to you in this status.", "workflow": "Workflow in Temporal",
		"status": "Status", "priority": "Priority", "category": "Category", "channel": "Channel", "severity": "Severity",
		"order": "Order", "level": "Level", "assignee": "Assignee", "filed": "Filed", "breached": "SLA breached",
		"resolution": "Resolution", "survey": "Survey", "keys_help": "Keys: a acknowledge · r reply",
	},
	"zh": {
		"customer": "客户", "tier": "等级", "contact": "联系方式", "earlier": "历史投诉", "none": "无",
		"score": "评分", "winback": "挽回", "clocks": "SLA 时钟", "clock_ack": "确认截止",
		"clock_resolve": "解决截止", "paused_since": "解决时钟暂停于", "time_left": "剩余时间",
		"no_clock": "没有运行中的时钟。", "timeline": "处理记录", "internal": "内部", "customer_saw": "客户可见",
		"actions": "操作", "acknowledge": "确认受理", "assign": "分配", "assign_to": "分配给",
		"reply": "回复客户", "message": "内容", "wait_on_customer": "等待客户回复（暂停解决时钟）",
		"send": "发送", "note": "内部备注", "note_help": "备注仅员工可见。", "add_note": "添加备注",
		"escalate": "升级", "reason": "原因", "resolve": "解决", "resolution_type": "解决方式",
		"root_cause": "根本原因", "summary": "说明", "compensation": "补偿（可选）", "amount": "金额",
		"currency": "币种", "no_actions": "当前状态下您没有可执行的操作。", "workflow": "在 Temporal 中查看工作流",
		"status": "状态", "priority": "优先级", "category": "类别", "channel": "渠道", "severity": "严重程度",
		"order": "订单", "level": "级别", "assignee": "处理人", "filed": "提交时间", "breached": "SLA 已超时",
		"resolution": "处理结果", "survey": "满意度调查", "keys_help": "快捷键：a 确认 · r 回复",
	},
}

func (c *Console) registerComplaint(g *echo.Group) {
	g.GET("/complaints/:id", c.complaint)
	g.POST("/complaints/:id/acknowledge", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Acknowledge(ctx.Request().Context(), call, call.Actor.Name)
	}))
	g.POST("/complaints/:id/assign", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Assign(ctx.Request().Context(), call, trimmed(ctx, "agent"))
	}))
	g.POST("/complaints/:id/reply", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Reply(ctx.Request().Context(), call, desk.Reply{Message: trimmed(ctx, "message"),
			WaitingOnCustomer: ctx.FormValue("waiting_on_customer") == "on"})
	}))
	g.POST("/complaints/:id/note", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Note(ctx.Request().Context(), call, trimmed(ctx, "message"))
	}))
	g.POST("/complaints/:id/escalate", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Escalate(ctx.Request().Context(), call, trimmed(ctx, "reason"))
	}))
	g.POST("/complaints/:id/resolve", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		in := desk.Resolve{Type: ctx.FormValue("resolution_type"), Summary: trimmed(ctx, "summary"), RootCause: ctx.FormValue("root_cause")}
		if amount := trimmed(ctx, "amount"); amount != "" {
			n, err := strconv.ParseFloat(amount, 64)
			if err != nil {
				return nil, redress.Invalid(redress.FieldError{Field: "compensation.amount", Message: "must be a number like 50 or 12.50"})
			}
			in.Compensation = &redress.Compensation{Amount: n, Currency: strings.ToUpper(trimmed(ctx, "currency"))}
		}
		return c.desk.Resolve(ctx.Request().Context(), call, in)
	}))
}

// complaintView is what the complaint page shows.
type complaintView struct {
	Complaint  *redress.Complaint
	Customer   *redress.Customer
	Earlier    []redress.Complaint
	Clocks     []slaClock
	Now        time.Time
	May        map[string]bool     // the actions both the status and the person's role allow
	Agents     []redress.StaffUser // whom a supervisor may assign to
	Nonce      string              // makes a resubmitted form the same action
	WorkflowAt string              // the complaint's workflow in the Temporal Web UI
	Types      []string
	Causes     []string
}

func (c *Console) complaint(ctx echo.Context) error {
	return c.showComplaint(ctx, http.StatusOK, "")
}

// showComplaint renders the complaint page, with a refused action's words
// when there is one.
func (c *Console) showComplaint(ctx echo.Context, status int, refusal string) error {
	rctx := ctx.Request().Context()
	complaint, err := c.db.Complaint(rctx, ctx.Param("id"))
	if err != nil {
		return c.failure(ctx, err)
	}
	customer, err := c.db.Customer(rctx, complaint.CustomerID)
	if err != nil {
		return c.failure(ctx, err)
	}
	earlier, _, err := c.db.Complaints(rctx, postgres.ComplaintFilter{CustomerID: complaint.CustomerID, Limit: 11})
	if err != nil {
		return c.failure(ctx, err)
	}
	v := viewerOf(ctx)
	view := complaintView{Complaint: complaint, Customer: customer, Now: time.Now(), May: map[string]bool{},
		Nonce: randomToken(), Types: redress.ResolutionTypes, Causes: redress.RootCauses}
	for _, e := range earlier {
		if e.ID != complaint.ID && len(view.Earlier) < 10 {
			view.Earlier = append(view.Earlier, e)
		}
	}
	if complaint.Status.Open() {
		view.Clocks = c.clocks(complaint.State)
	}
	for _, a := range []redress.StaffAction{redress.ActionAcknowledge, redress.ActionAssign, redress.ActionReply,
		redress.ActionNote, redress.ActionEscalate, redress.ActionResolve} {
		view.May[string(a)] = complaint.State.Allows(a) && desk.MayTake(v.User.Role, a)
	}
	if view.May[string(redress.ActionAssign)] {
		if view.Agents, err = c.db.StaffUsers(rctx); err != nil {
			return c.failure(ctx, err)
		}
	}
	if c.temporalUI != "" {
		view.WorkflowAt = c.temporalUI + redress.ComplaintWorkflowID(complaint.ID)
	}
	return c.render(ctx, status, "complaint", page{Title: complaint.Subject, Nav: "", Error: refusal, Data: view})
}

// act runs a form's action as the signed-in person and shows the complaint
// again (post, redirect, get); a refusal shows the page with its reason.
func (c *Console) act(run func(echo.Context, desk.Call) (*redress.Complaint, error)) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		v := viewerOf(ctx)
		call := desk.Call{ComplaintID: ctx.Param("id"), IdempotencyKey: ctx.FormValue("nonce"),
			Actor: desk.Actor{Name: v.User.Email, By: redress.ByUser(v.User.Email), Role: v.User.Role, Account: "user:" + v.User.Email}}
		if _, err := run(ctx, call); err != nil {
			var e *redress.Error
			if !errors.As(err, &e) || e.Code == redress.EINTERNAL || e.Code == redress.ENOTFOUND {
				return c.failure(ctx, err)
			}
			return c.showComplaint(ctx, redress.HTTPStatus(e), refusalText(e))
		}
		return ctx.Redirect(http.StatusSeeOther, "/console/complaints/"+call.ComplaintID)
	}
}

// refusalText is an action's refusal in the domain's words, each faulty
// field named.
func refusalText(e *redress.Error) string {
	if len(e.Fields) < 2 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}
