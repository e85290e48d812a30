// Package activities holds the side effects of the workflows: writes to
// PostgreSQL and, through the outbox, messages to people.
package activities

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/tokens"
)

// Registered names of the activities, which workflows run as local
// activities.
const (
	ApplyChangeName     = "ApplyChange"
	ApplyWinbackName    = "ApplyWinback"
	PurchasedSinceName  = "PurchasedSince" // win-backs offered before PurchasedWithin
	PurchasedWithinName = "PurchasedWithin"
	// RiskiestCustomersName runs as a regular activity: the scoring query
	// may take a while on a large customer base.
	RiskiestCustomersName = "RiskiestCustomers"
	RecordCampaignName    = "RecordCampaign"
	WinbackRunningName    = "WinbackRunning"
	CouponRedeemedName    = "CouponRedeemed"
)

// Store is what the activities need of the database.
type Store interface {
	ApplyChange(ctx context.Context, ch redress.Change, surveyTokenHash []byte) error
	ApplyWinback(ctx context.Context, ch redress.WinbackChange) error
	PurchasedSince(ctx context.Context, customerID string, t time.Time) (bool, error)
	PurchasedWithin(ctx context.Context, customerID string, from, until time.Time) (bool, error)
	RiskiestCustomers(ctx context.Context, limit int, coolDown time.Duration) ([]redress.ChurnRisk, error)
	RecordCampaign(ctx context.Context, id string, dryRun bool, result json.RawMessage) error
	WinbackRunning(ctx context.Context, customerID string) (bool, error)
	CouponRedeemed(ctx context.Context, runID string) (bool, error)
}

// Activities carries the activities' dependencies; the worker builds it once.
type Activities struct {
	Store     Store
	Tokens    *tokens.Signer
	Erasures  ErasureStore
	Retention RetentionStore
	Workflows WorkflowClient
	Loyalty   LoyaltyStore
	Signals   Signaler
}

// ApplyChange projects one step of a complaint's workflow into PostgreSQL:
// state, timeline lines and outbox events, idempotently. A step that sends
// or reminds of a survey stores the hash of the round's token, derived
// here so that the secret never enters a workflow history; its events name
// the round, from which the dispatcher derives the link at delivery.
func (a *Activities) ApplyChange(ctx context.Context, ch redress.Change) error {
	var surveyHash []byte
	if ch.SurveyRound > 0 {
		surveyHash = tokens.Hash(a.Tokens.Survey(ch.ComplaintID, ch.SurveyRound))
		events := make([]redress.Event, len(ch.Events))
		for i, e := range ch.Events {
			if e.Type == redress.EventSurveySent || e.Type == redress.EventSurveyReminded {
				e.Data = maps.Clone(e.Data)
				e.Data["survey_round"] = ch.SurveyRound
			}
			events[i] = e
		}
		ch.Events = events
	}
	return a.Store.ApplyChange(ctx, ch, surveyHash)
}

// ApplyWinback projects one step of a win-back flow: the customer's record
// of it and, for a complaint's, the complaint.
func (a *Activities) ApplyWinback(ctx context.Context, ch redress.WinbackChange) error {
	return a.Store.ApplyWinback(ctx, ch)
}

// PurchasedSince reports whether the customer bought anything since t, for
// win-backs offered before PurchasedWithin.
func (a *Activities) PurchasedSince(ctx context.Context, customerID string, t time.Time) (bool, error) {
	return a.Store.PurchasedSince(ctx, customerID, t)
}

// PurchasedWithin reports whether the customer bought anything from from
// to until: the win-back's last look before it calls the customer lost, in
// case a purchase was stored but its signal never arrived.
func (a *Activities) PurchasedWithin(ctx context.Context, customerID string, from, until time.Time) (bool, error) {
	return a.Store.PurchasedWithin(ctx, customerID, from, until)
}

// WinbackRunning tells whether a win-back is under way for the customer,
// one that began for a customer merged into them included.
func (a *Activities) WinbackRunning(ctx context.Context, customerID string) (bool, error) {
	return a.Store.WinbackRunning(ctx, customerID)
}

// CouponRedeemed tells whether a win-back's coupon was redeemed: the last
// look of a win-back whose policy counts only its coupon.
func (a *Activities) CouponRedeemed(ctx context.Context, runID string) (bool, error) {
	return a.Store.CouponRedeemed(ctx, runID)
}

// RecordCampaign keeps a finished campaign's result in PostgreSQL, where it
// outlives the campaign's workflow.
func (a *Activities) RecordCampaign(ctx context.Context, id string, dryRun bool, result json.RawMessage) error {
	return a.Store.RecordCampaign(ctx, id, dryRun, result)
}

// RiskiestCustomers scores customers for churn and returns the riskiest
// who have no win-back under way and none finished within coolDown. A task
// scheduled before coolDown was an argument gets zero: no cool-down.
func (a *Activities) RiskiestCustomers(ctx context.Context, limit int, coolDown time.Duration) ([]redress.ChurnRisk, error) {
	return a.Store.RiskiestCustomers(ctx, limit, coolDown)
}
