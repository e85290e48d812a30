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

func (c *Console) registerComplaint(g *echo.Group) {
	g.GET("/complaints/:id", c.complaint)
	g.POST("/complaints/:id/acknowledge", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Acknowledge(ctx.Request().Context(), call, call.Actor.Name)
	}))
	g.POST("/complaints/:id/assign", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Assign(ctx.Request().Context(), call, trimmed(ctx, "agent"))
	}))
	g.POST("/complaints/:id/reply", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		reply := desk.Reply{Message: trimmed(ctx, "message"), WaitingOnCustomer: ctx.FormValue("waiting_on_customer") == "on"}
		if reply.Message == "" {
			return c.desk.Reply(ctx.Request().Context(), call, reply) // refused before any file is kept
		}
		files, err := c.attach(ctx, call.ComplaintID)
		if err != nil {
			return nil, err
		}
		reply.Attachments = files
		return c.desk.Reply(ctx.Request().Context(), call, reply)
	}))
	g.POST("/complaints/:id/note", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Note(ctx.Request().Context(), call, trimmed(ctx, "message"))
	}))
	g.POST("/complaints/:id/escalate", c.act(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Escalate(ctx.Request().Context(), call, trimmed(ctx, "reason"))
	}))
	g.POST("/complaints/:id/merge", c.actThen(func(ctx echo.Context, call desk.Call) (*redress.Complaint, error) {
		return c.desk.Merge(ctx.Request().Context(), call, trimmed(ctx, "into"))
	}, func(merged *redress.Complaint) string { return merged.MergedInto }))
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
	Complaint        *redress.Complaint
	FollowUpOutcomes []string
	Customer         *redress.Customer
	Earlier          []redress.Complaint
	Clocks           []slaClock
	Now              time.Time
	May              map[string]bool     // the actions both the status and the person's role allow
	Agents           []redress.StaffUser // whom a supervisor may assign to
	Nonce            string              // makes a resubmitted form the same action
	WorkflowAt       string              // the complaint's workflow in the Temporal Web UI
	Types            []string
	Causes           []string
	// DuplicateOf is the open complaint this one was flagged as repeating,
	// while both may still be merged; MergeInto are the customer's other
	// complaints it may be merged into.
	DuplicateOf *redress.Complaint
	MergeInto   []redress.Complaint
	// Macros are the canned replies; Reply is the reply box's text, a
	// macro's filled in when one was asked for (?macro=).
	Macros []redress.Macro
	Reply  string
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
	view := complaintView{Complaint: complaint, FollowUpOutcomes: redress.FollowUpOutcomes, Customer: customer, Now: time.Now(), May: map[string]bool{},
		Nonce: randomToken(), Types: redress.ResolutionTypes, Causes: redress.RootCauses}
	for _, e := range earlier {
		if e.ID != complaint.ID && len(view.Earlier) < 10 {
			view.Earlier = append(view.Earlier, e)
		}
	}
	mergeable := func(s redress.State) bool { return s.Allows(redress.ActionMerge) }
	if mergeable(complaint.State) && desk.MayTake(viewerOf(ctx).User.Role, redress.ActionMerge) {
		for _, e := range view.Earlier {
			if mergeable(e.State) {
				view.MergeInto = append(view.MergeInto, e)
			}
		}
		if id := complaint.PossibleDuplicateOf; id != "" {
			if dup, err := c.db.Complaint(rctx, id); err == nil && mergeable(dup.State) && dup.CustomerID == complaint.CustomerID {
				view.DuplicateOf = dup
			}
		}
	}
	if complaint.Status.Open() {
		view.Clocks = c.clocks(complaint.State, complaint.SLARow)
	}
	for _, a := range []redress.StaffAction{redress.ActionAcknowledge, redress.ActionAssign, redress.ActionReply,
		redress.ActionNote, redress.ActionEscalate, redress.ActionResolve} {
		view.May[string(a)] = complaint.State.Allows(a) && desk.MayTake(v.User.Role, a)
	}
	if view.May[string(redress.ActionReply)] {
		if view.Macros, err = c.db.Macros(rctx); err != nil {
			return c.failure(ctx, err)
		}
		if id := ctx.QueryParam("macro"); id != "" {
			filled, err := c.desk.FillMacro(rctx, complaint.ID, id, v.User.Name,
				func(id string) string { return c.tokens.TrackingURL(c.tokens.Tracking(id)) }, c.zone)
			if err != nil {
				return c.failure(ctx, err)
			}
			view.Reply = filled.Text
		}
	}
	if view.May[string(redress.ActionAssign)] {
		if view.Agents, err = c.db.StaffUsers(rctx); err != nil {
			return c.failure(ctx, err)
		}
	}
	if c.temporalUI != "" {
		view.WorkflowAt = c.temporalUI + redress.ComplaintWorkflowID(complaint.ID)
	}
	if err := c.audit(ctx, viewerActor(ctx), redress.AuditReadComplaint, "complaint:"+complaint.ID, map[string]any{"where": "console"}); err != nil {
		return c.failure(ctx, err)
	}
	return c.render(ctx, status, "complaint", page{Title: complaint.Subject, Nav: "", Error: refusal, Data: view})
}

// act runs a form's action as the signed-in person and shows the complaint
// again (post, redirect, get); a refusal shows the page with its reason.
func (c *Console) act(run func(echo.Context, desk.Call) (*redress.Complaint, error)) echo.HandlerFunc {
	return c.actThen(run, func(done *redress.Complaint) string { return done.ID })
}

// actThen is act showing next the complaint that next names.
func (c *Console) actThen(run func(echo.Context, desk.Call) (*redress.Complaint, error), next func(*redress.Complaint) string) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		v := viewerOf(ctx)
		call := desk.Call{ComplaintID: ctx.Param("id"), IdempotencyKey: ctx.FormValue("nonce"),
			Actor: desk.Actor{Name: v.User.Email, By: redress.ByUser(v.User.Email), Role: v.User.Role, Account: "user:" + v.User.Email}}
		done, err := run(ctx, call)
		if err != nil {
			var e *redress.Error
			if !errors.As(err, &e) || e.Code == redress.EINTERNAL || e.Code == redress.ENOTFOUND {
				return c.failure(ctx, err)
			}
			return c.showComplaint(ctx, redress.HTTPStatus(e), refusalText(e))
		}
		return ctx.Redirect(http.StatusSeeOther, "/console/complaints/"+next(done))
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
