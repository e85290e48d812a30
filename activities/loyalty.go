package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
)

// The loyalty workflow's steps.
const (
	ReviewTiersName  = "ReviewTiers"
	ExpirePointsName = "ExpirePoints"
)

// loyaltyBatch is how many customers one step of the daily recompute takes.
const loyaltyBatch = 500

// LoyaltyStore is what the daily recompute needs of the database.
type LoyaltyStore interface {
	ReviewTiers(ctx context.Context, loyalty redress.LoyaltyPolicy, now time.Time, after string, limit int) ([]postgres.TierChange, string, error)
	ExpirePoints(ctx context.Context, now time.Time, after string, limit int) (int64, string, error)
	RunningComplaintIDs(ctx context.Context, customerID string) ([]string, error)
}

// Signaler signals running workflows.
type Signaler interface {
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
}

// LoyaltyPage is where a step of the daily recompute left off.
type LoyaltyPage struct {
	Loyalty redress.LoyaltyPolicy `json:"loyalty"`
	Now     time.Time             `json:"now"`
	After   string                `json:"after"`
}

// LoyaltyStep is what one step did.
type LoyaltyStep struct {
	Changed int    `json:"changed"`
	Expired int64  `json:"expired"`
	Next    string `json:"next"` // "" once every customer is looked at
}

// ReviewTiers recomputes a page of tiers and tells the running complaints
// of each customer whose tier moved.
func (a *Activities) ReviewTiers(ctx context.Context, page LoyaltyPage) (LoyaltyStep, error) {
	changes, next, err := a.Loyalty.ReviewTiers(ctx, page.Loyalty, page.Now, page.After, loyaltyBatch)
	for _, ch := range changes {
		if err := TellTier(ctx, a.Loyalty, a.Signals, ch); err != nil {
			return LoyaltyStep{}, err
		}
	}
	return LoyaltyStep{Changed: len(changes), Next: next}, err
}

// ExpirePoints writes off a page of customers' lapsed points.
func (a *Activities) ExpirePoints(ctx context.Context, page LoyaltyPage) (LoyaltyStep, error) {
	expired, next, err := a.Loyalty.ExpirePoints(ctx, page.Now, page.After, loyaltyBatch)
	return LoyaltyStep{Expired: expired, Next: next}, err
}

// TellTier tells the running complaints of a customer their new tier: the
// breach rule and any win-back they start use it from then on.
func TellTier(ctx context.Context, store LoyaltyStore, signals Signaler, ch postgres.TierChange) error {
	ids, err := store.RunningComplaintIDs(ctx, ch.CustomerID)
	if err != nil {
		return err
	}
	tell := redress.CustomerChanged{CustomerID: ch.CustomerID, Tier: ch.To}
	for _, id := range ids {
		err := signals.SignalWorkflow(ctx, redress.ComplaintWorkflowID(id), "", redress.CustomerChangedSignal, tell)
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return fmt.Errorf("tell complaint %s its customer's tier: %w", id, err)
		}
	}
	return nil
}
