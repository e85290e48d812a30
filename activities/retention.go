package activities

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/redress-dev/redress"
)

// The retention workflow's steps.
const (
	AnonymizeClosedName     = "AnonymizeClosed"
	RequestPastErasuresName = "RequestPastErasures"
)

// RetentionActor is who the audit log says erased what retention erased.
const RetentionActor = "system:retention"

// retentionBatch is how many complaints or customers one step takes.
const retentionBatch = 200

// RetentionStore is what retention needs of the database.
type RetentionStore interface {
	ClosedBefore(ctx context.Context, cutoff time.Time, after string, limit int) ([]string, error)
	AnonymizeComplaint(ctx context.Context, id, by, reason string) error
	CustomersWithNothingKept(ctx context.Context, after string, limit int) ([]string, error)
	RequestErasure(ctx context.Context, id, by, reason string) (*redress.Customer, error)
}

// RetentionPage is where a step of retention left off.
type RetentionPage struct {
	Cutoff time.Time `json:"cutoff"`
	After  string    `json:"after"` // the last id the step looked at; "" at the start
}

// AnonymizedPage is what one step of anonymizing did.
type AnonymizedPage struct {
	Anonymized int    `json:"anonymized"`
	Running    int    `json:"running"` // closed, but their workflow still runs (a survey, a reopen window): next time
	Next       string `json:"next"`    // "" once every complaint is looked at
}

// AnonymizeClosed erases the personal data of a page of the complaints
// closed before the cutoff whose workflow has ended.
func (a *Activities) AnonymizeClosed(ctx context.Context, page RetentionPage) (AnonymizedPage, error) {
	var out AnonymizedPage
	ids, err := a.Retention.ClosedBefore(ctx, page.Cutoff, page.After, retentionBatch)
	if err != nil {
		return out, err
	}
	for _, id := range ids {
		running, err := a.workflowRunning(ctx, redress.ComplaintWorkflowID(id))
		if err != nil {
			return out, err
		}
		if running {
			out.Running++
			continue
		}
		if err := a.Retention.AnonymizeComplaint(ctx, id, RetentionActor, "retention.anonymize_closed_after"); err != nil {
			return out, err
		}
		out.Anonymized++
	}
	if len(ids) == retentionBatch {
		out.Next = ids[len(ids)-1]
	}
	return out, nil
}

func (a *Activities) workflowRunning(ctx context.Context, id string) (bool, error) {
	d, err := a.Workflows.DescribeWorkflowExecution(ctx, id, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

// PastCustomers are customers whose erasure retention asked for.
type PastCustomers struct {
	IDs  []string `json:"ids"`
	Next string   `json:"next"`
}

// RequestPastErasures asks the erasure of a page of the customers with no
// complaint that still holds personal data; the workflow starts them.
func (a *Activities) RequestPastErasures(ctx context.Context, page RetentionPage) (PastCustomers, error) {
	var out PastCustomers
	ids, err := a.Retention.CustomersWithNothingKept(ctx, page.After, retentionBatch)
	if err != nil {
		return out, err
	}
	for _, id := range ids {
		if _, err := a.Retention.RequestErasure(ctx, id, RetentionActor, "retention: no complaint of theirs keeps personal data"); err != nil {
			return out, err
		}
	}
	out.IDs = ids
	if len(ids) == retentionBatch {
		out.Next = ids[len(ids)-1]
	}
	return out, nil
}
