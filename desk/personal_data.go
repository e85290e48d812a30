package desk

import (
	"context"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/workflows"
)

// MaxErasureReason bounds the reason an erasure records.
const MaxErasureReason = 500

// EraseCustomer erases a customer's personal data (SPEC section 12), on an
// admin's word with a reason: recorded at once (from then intake no longer
// finds the customer), then carried out by the customer's erasure
// workflow, which survives crashes. A customer merged into another is that
// customer. Asking again joins the erasure under way, or answers with the
// erasure done.
func (d *Desk) EraseCustomer(ctx context.Context, actor Actor, id, reason string) (*redress.Customer, error) {
	if actor.Role != config.RoleAdmin {
		return nil, redress.Errorf(redress.EFORBIDDEN, "the %s role may not erase customers; it needs admin", actor.Role)
	}
	ch := &redress.Checker{}
	ch.Text("reason", reason, true, MaxErasureReason)
	if err := ch.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*ActionTimeout)
	defer cancel()
	cu, err := d.db.RequestErasure(ctx, id, actor.By, reason)
	if err != nil {
		return nil, err
	}
	if cu.ErasedAt != nil {
		return cu, nil
	}
	if err := workflows.StartErasure(ctx, d.temporal, activities.ErasureInput{CustomerID: cu.ID, By: actor.By}); err != nil {
		// Recorded: the same request again, or the worker's sweep, starts it.
		return nil, TemporalError(err)
	}
	return cu, nil
}

// CustomerExport is everything Redress holds about a customer, as one
// document (SPEC section 12): what a customer who asks for their data is
// given.
type CustomerExport struct {
	ExportedAt time.Time                `json:"exported_at"`
	Customer   *redress.Customer        `json:"customer"`
	Merged     []*redress.Customer      `json:"merged_customers"` // customers merged into this one
	Changes    []redress.CustomerChange `json:"changes"`
	Notes      []redress.CustomerNote   `json:"notes"`
	Purchases  []redress.Purchase       `json:"purchases"`
	Winbacks   []redress.WinbackRecord  `json:"winbacks"` // with their coupons
	Points     []postgres.PointsLine    `json:"points_ledger"`
	Complaints []*redress.Complaint     `json:"complaints"` // each with its timeline and files
}

// maxExportPurchases bounds the purchases an export lists, the newest.
const maxExportPurchases = 100_000

// ExportCustomer gathers everything held about the customer, for an admin;
// the audit log records the export.
func (d *Desk) ExportCustomer(ctx context.Context, actor Actor, id string) (*CustomerExport, error) {
	if actor.Role != config.RoleAdmin {
		return nil, redress.Errorf(redress.EFORBIDDEN, "the %s role may not export customers; it needs admin", actor.Role)
	}
	cu, err := d.db.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &CustomerExport{ExportedAt: time.Now().UTC(), Customer: cu, Merged: []*redress.Customer{}, Complaints: []*redress.Complaint{}}
	merged, err := d.db.MergedCustomers(ctx, cu.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range merged {
		other, err := d.db.Customer(ctx, m)
		if err != nil {
			return nil, err
		}
		out.Merged = append(out.Merged, other)
	}
	if out.Changes, err = d.db.CustomerChanges(ctx, cu.ID); err != nil {
		return nil, err
	}
	if out.Notes, err = d.db.CustomerNotes(ctx, cu.ID); err != nil {
		return nil, err
	}
	if out.Purchases, err = d.db.Purchases(ctx, cu.ID, maxExportPurchases); err != nil {
		return nil, err
	}
	if out.Points, err = d.db.PointsLedger(ctx, cu.ID, maxExportPurchases); err != nil {
		return nil, err
	}
	if out.Winbacks, err = d.db.Winbacks(ctx, cu.ID); err != nil {
		return nil, err
	}
	for cursor := ""; ; {
		page, next, err := d.db.Complaints(ctx, postgres.ComplaintFilter{CustomerID: cu.ID, Limit: 200, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			full, err := d.db.Complaint(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			out.Complaints = append(out.Complaints, full)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if err := d.db.Audit(ctx, redress.AuditLine{Actor: actor.By, Action: redress.AuditExport, Target: "customer:" + cu.ID,
		Detail: map[string]any{"complaints": len(out.Complaints)}}); err != nil {
		return nil, err
	}
	return out, nil
}
