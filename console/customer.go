package console

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/postgres"
)

// customerPageComplaints bounds the complaints the customer's page lists.
const customerPageComplaints = 50

// customerPagePoints bounds the ledger lines the customer's page shows.
const customerPagePoints = 20

func (c *Console) registerCustomer(g *echo.Group) {
	g.GET("/customers/:id", c.customerPage)
	g.POST("/customers/:id/notes", c.addCustomerNote)
	g.POST("/customers/:id/merge", c.mergeCustomer)
	admin := c.requireRole(config.RoleAdmin)
	g.GET("/customers/:id/export", c.exportCustomer, admin)
	g.POST("/customers/:id/erase", c.eraseCustomer, admin)
}

// exportCustomer downloads everything held about the customer as a file.
func (c *Console) exportCustomer(ctx echo.Context) error {
	v := viewerOf(ctx)
	export, err := c.desk.ExportCustomer(ctx.Request().Context(),
		desk.Actor{Name: v.User.Email, By: redress.ByUser(v.User.Email), Role: v.User.Role}, ctx.Param("id"))
	if err != nil {
		return c.failure(ctx, err)
	}
	body, err := json.MarshalIndent(export, "", "  ")
	if err != nil {
		return c.failure(ctx, err)
	}
	h := ctx.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="customer-`+export.Customer.ID+`.json"`)
	h.Set("Cache-Control", "private, no-store")
	return ctx.Blob(http.StatusOK, "application/json", body)
}

// eraseCustomer asks the customer's erasure and shows the customer.
func (c *Console) eraseCustomer(ctx echo.Context) error {
	v := viewerOf(ctx)
	cu, err := c.desk.EraseCustomer(ctx.Request().Context(),
		desk.Actor{Name: v.User.Email, By: redress.ByUser(v.User.Email), Role: v.User.Role}, ctx.Param("id"), trimmed(ctx, "reason"))
	if err != nil {
		return c.failure(ctx, err)
	}
	return ctx.Redirect(http.StatusSeeOther, "/console/customers/"+cu.ID)
}

// customerView is what the customer's page shows.
type customerView struct {
	Customer   *redress.Customer
	Changes    []redress.CustomerChange
	Purchases  []redress.Purchase
	Complaints []redress.Complaint
	Winbacks   []redress.WinbackRecord
	Points     []postgres.PointsLine // the newest lines of the ledger
	Notes      []redress.CustomerNote
	// DuplicateOf is the customer this one may be, while both may be
	// merged; MayMerge says whether the viewer may merge them.
	DuplicateOf *redress.Customer
	MayMerge    bool
	Nonce       string
}

func (c *Console) customerPage(ctx echo.Context) error {
	rctx := ctx.Request().Context()
	cu, err := c.db.Customer(rctx, ctx.Param("id"))
	if err != nil {
		return c.failure(ctx, err)
	}
	if cu.MergedInto != "" {
		return ctx.Redirect(http.StatusSeeOther, "/console/customers/"+cu.MergedInto)
	}
	view := customerView{Customer: cu, MayMerge: viewerOf(ctx).Supervisor, Nonce: randomToken()}
	if view.Changes, err = c.db.CustomerChanges(rctx, cu.ID); err != nil {
		return c.failure(ctx, err)
	}
	if view.Purchases, err = c.db.Purchases(rctx, cu.ID, 20); err != nil {
		return c.failure(ctx, err)
	}
	if view.Complaints, _, err = c.db.Complaints(rctx, postgres.ComplaintFilter{CustomerID: cu.ID, Limit: customerPageComplaints}); err != nil {
		return c.failure(ctx, err)
	}
	if view.Winbacks, err = c.db.Winbacks(rctx, cu.ID); err != nil {
		return c.failure(ctx, err)
	}
	if view.Points, err = c.db.PointsLedger(rctx, cu.ID, customerPagePoints); err != nil {
		return c.failure(ctx, err)
	}
	if view.Notes, err = c.db.CustomerNotes(rctx, cu.ID); err != nil {
		return c.failure(ctx, err)
	}
	if id := cu.PossibleDuplicateOf; id != "" {
		if other, err := c.db.Customer(rctx, id); err == nil && other.MergedInto == "" {
			view.DuplicateOf = other
		}
	}
	if err := c.audit(ctx, viewerActor(ctx), redress.AuditReadCustomer, "customer:"+cu.ID, map[string]any{"where": "console"}); err != nil {
		return c.failure(ctx, err)
	}
	return c.render(ctx, http.StatusOK, "customer", page{Title: cu.Name, Data: view})
}

// addCustomerNote writes an internal note about the customer as the
// signed-in person.
func (c *Console) addCustomerNote(ctx echo.Context) error {
	v := viewerOf(ctx)
	id := ctx.Param("id")
	note := trimmed(ctx, "note")
	ch := &redress.Checker{}
	ch.Text("note", note, true, redress.MaxMessage)
	if err := ch.Err(); err != nil {
		return c.failure(ctx, err)
	}
	if _, err := c.db.AddCustomerNote(ctx.Request().Context(), id, redress.ByUser(v.User.Email), note); err != nil {
		return c.failure(ctx, err)
	}
	return ctx.Redirect(http.StatusSeeOther, "/console/customers/"+id)
}

// mergeCustomer merges the customer into the one the form names and shows
// the kept customer.
func (c *Console) mergeCustomer(ctx echo.Context) error {
	v := viewerOf(ctx)
	kept, err := c.desk.MergeCustomers(ctx.Request().Context(),
		desk.Actor{Name: v.User.Email, By: redress.ByUser(v.User.Email), Role: v.User.Role}, ctx.Param("id"), trimmed(ctx, "into"))
	if err != nil {
		return c.failure(ctx, err)
	}
	return ctx.Redirect(http.StatusSeeOther, "/console/customers/"+kept.ID)
}
