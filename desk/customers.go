package desk

import (
	"context"
	"errors"
	"slices"
	"strings"

	"go.temporal.io/api/serviceerror"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/postgres"
)

// customerMergers are the roles that may merge customers.
var customerMergers = []string{config.RoleSupervisor, config.RoleAdmin}

// MergeCustomers makes the customer id one with the customer into (see
// postgres.MergeCustomers), then tells the workflows of the kept customer's
// complaints, which now include the merged customer's, whose they are. A
// workflow that could not be told makes the answer EUNAVAILABLE: the merge
// stands, and the same request again tells them all.
func (d *Desk) MergeCustomers(ctx context.Context, actor Actor, id, into string) (*redress.Customer, error) {
	if !slices.Contains(customerMergers, actor.Role) {
		return nil, redress.Errorf(redress.EFORBIDDEN, "the %s role may not merge customers; it needs one of: %s",
			actor.Role, strings.Join(customerMergers, ", "))
	}
	ch := &redress.Checker{}
	ch.Text("into", into, true, 100)
	if err := ch.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*ActionTimeout)
	defer cancel()
	merged, err := d.db.MergeCustomers(ctx, id, into, actor.By)
	if err != nil {
		return nil, err
	}
	tell := redress.CustomerChanged{CustomerID: merged.Into.ID, Tier: merged.Into.Tier}
	for cursor := ""; ; {
		page, next, err := d.db.Complaints(ctx, postgres.ComplaintFilter{CustomerID: merged.Into.ID, Limit: 200, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			if c.Status == redress.StatusMerged {
				continue
			}
			err := d.temporal.SignalWorkflow(ctx, redress.ComplaintWorkflowID(c.ID), "", redress.CustomerChangedSignal, tell)
			var notFound *serviceerror.NotFound
			if err != nil && !errors.As(err, &notFound) {
				d.logger.Warn("customers merged, a complaint's workflow not told", "complaint", c.ID, "error", err)
				return nil, redress.Errorf(redress.EUNAVAILABLE,
					"the customers are merged, but not every complaint's workflow could be told; send the same request again")
			}
		}
		if cursor = next; cursor == "" {
			return merged.Into, nil
		}
	}
}
