// Package worker runs the Temporal worker that executes Redress's workflows
// and activities.
package worker

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress/activities"
	"github.com/redress-dev/redress/workflows"
)

// Registry is the part of a worker, or of the SDK's test environment, that
// workflows and activities are registered with.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// Register registers every workflow and activity of Redress, under the
// names the workflows call them by.
func Register(r Registry, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.Complaint, workflow.RegisterOptions{Name: "Complaint"})
	r.RegisterWorkflowWithOptions(workflows.Winback, workflow.RegisterOptions{Name: "Winback"})
	r.RegisterWorkflowWithOptions(workflows.Campaign, workflow.RegisterOptions{Name: "Campaign"})
	r.RegisterWorkflowWithOptions(workflows.Erasure, workflow.RegisterOptions{Name: "Erasure"})
	r.RegisterWorkflowWithOptions(workflows.Retention, workflow.RegisterOptions{Name: "Retention"})
	r.RegisterWorkflowWithOptions(workflows.Loyalty, workflow.RegisterOptions{Name: "Loyalty"})
	r.RegisterActivityWithOptions(acts.ApplyChange, activity.RegisterOptions{Name: activities.ApplyChangeName})
	r.RegisterActivityWithOptions(acts.ApplyWinback, activity.RegisterOptions{Name: activities.ApplyWinbackName})
	r.RegisterActivityWithOptions(acts.PurchasedSince, activity.RegisterOptions{Name: activities.PurchasedSinceName})
	r.RegisterActivityWithOptions(acts.PurchasedWithin, activity.RegisterOptions{Name: activities.PurchasedWithinName})
	r.RegisterActivityWithOptions(acts.RecordCampaign, activity.RegisterOptions{Name: activities.RecordCampaignName})
	r.RegisterActivityWithOptions(acts.RiskiestCustomers, activity.RegisterOptions{Name: activities.RiskiestCustomersName})
	r.RegisterActivityWithOptions(acts.WinbackRunning, activity.RegisterOptions{Name: activities.WinbackRunningName})
	r.RegisterActivityWithOptions(acts.CouponRedeemed, activity.RegisterOptions{Name: activities.CouponRedeemedName})
	r.RegisterActivityWithOptions(acts.EndCustomerWorkflows, activity.RegisterOptions{Name: activities.EndCustomerWorkflowsName})
	r.RegisterActivityWithOptions(acts.EraseCustomerData, activity.RegisterOptions{Name: activities.EraseCustomerDataName})
	r.RegisterActivityWithOptions(acts.ErasedFilesGone, activity.RegisterOptions{Name: activities.ErasedFilesGoneName})
	r.RegisterActivityWithOptions(acts.FinishErasure, activity.RegisterOptions{Name: activities.FinishErasureName})
	r.RegisterActivityWithOptions(acts.AnonymizeClosed, activity.RegisterOptions{Name: activities.AnonymizeClosedName})
	r.RegisterActivityWithOptions(acts.RequestPastErasures, activity.RegisterOptions{Name: activities.RequestPastErasuresName})
	r.RegisterActivityWithOptions(acts.ReviewTiers, activity.RegisterOptions{Name: activities.ReviewTiersName})
	r.RegisterActivityWithOptions(acts.ExpirePoints, activity.RegisterOptions{Name: activities.ExpirePointsName})
}
