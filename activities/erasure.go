package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// The erasure workflow's steps.
const (
	EndCustomerWorkflowsName = "EndCustomerWorkflows"
	EraseCustomerDataName    = "EraseCustomerData"
	ErasedFilesGoneName      = "ErasedFilesGone"
	FinishErasureName        = "FinishErasure"
)

// ErasureInput names the customer to erase and who asked (an admin's key
// or user, or "system:retention").
type ErasureInput struct {
	CustomerID string `json:"customer_id"`
	By         string `json:"by"`
}

// ErasureStore is what the erasure's steps need of the database.
type ErasureStore interface {
	ErasureScope(ctx context.Context, customerID string) (postgres.ErasureScope, error)
	EraseCustomer(ctx context.Context, customerID, by string) error
	ErasedFilesLeft(ctx context.Context, customerID string) (int, error)
	FinishErasure(ctx context.Context, customerID, by string) error
}

// WorkflowClient is what erasure and retention need of the Temporal
// client: to end a customer's workflows, and to tell whether one runs.
type WorkflowClient interface {
	TerminateWorkflow(ctx context.Context, workflowID, runID, reason string, details ...any) error
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
}

// EndCustomerWorkflows ends every running workflow of the customer and of
// the customers merged into it: their complaints' and their win-backs'. One
// that has ended already, or never ran, is skipped.
func (a *Activities) EndCustomerWorkflows(ctx context.Context, in ErasureInput) error {
	scope, err := a.Erasures.ErasureScope(ctx, in.CustomerID)
	if err != nil {
		return err
	}
	var ids []string
	for _, id := range scope.Complaints {
		ids = append(ids, redress.ComplaintWorkflowID(id))
	}
	for _, id := range scope.Customers {
		ids = append(ids, redress.WinbackWorkflowID(id))
	}
	for _, id := range ids {
		err := a.Workflows.TerminateWorkflow(ctx, id, "", "the customer's personal data is being erased")
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return fmt.Errorf("end workflow %s: %w", id, err)
		}
	}
	return nil
}

// EraseCustomerData destroys the customer's data keys and scrubs the rows.
func (a *Activities) EraseCustomerData(ctx context.Context, in ErasureInput) error {
	return a.Erasures.EraseCustomer(ctx, in.CustomerID, in.By)
}

// ErasedFilesGone fails, and is retried, until the attachment store has
// deleted every file of the customer's complaints.
func (a *Activities) ErasedFilesGone(ctx context.Context, in ErasureInput) error {
	left, err := a.Erasures.ErasedFilesLeft(ctx, in.CustomerID)
	if err == nil && left > 0 {
		err = fmt.Errorf("%d files of the customer's complaints are still in the object store", left)
	}
	return err
}

// FinishErasure records the erasure done.
func (a *Activities) FinishErasure(ctx context.Context, in ErasureInput) error {
	return a.Erasures.FinishErasure(ctx, in.CustomerID, in.By)
}
