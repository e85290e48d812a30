package workflows

import (
	"crypto/rand"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/activities"
)

// PurchaseSignal tells a running win-back that the customer bought again.
const PurchaseSignal = "purchase"

// WinbackInput starts a customer's win-back flow.
type WinbackInput struct {
	CustomerID  string                `json:"customer_id"`
	Tier        redress.Tier          `json:"tier"`
	ComplaintID string                `json:"complaint_id"` // the complaint that triggered it; empty for a campaign's
	Reason      string                `json:"reason"`
	Policy      redress.WinbackPolicy `json:"policy"`
}

// triggerWinback asks the run loop to start a win-back, once per complaint.
func (wf *complaint) triggerWinback(reason string) {
	if !wf.book.WinbackTriggered {
		wf.book.WinbackTriggered, wf.winbackReason = true, reason
	}
}

// startTriggeredWinback starts the win-back that the step just taken
// triggered, if any.
func (wf *complaint) startTriggeredWinback(ctx workflow.Context) error {
	if wf.winbackReason == "" {
		return nil
	}
	return wf.startWinback(ctx)
}

// winbackChild starts a customer's win-back as a child that outlives its
// parent. Its id is the customer's, so when one already runs for this
// customer none is started: one win-back at a time per customer.
func winbackChild(ctx workflow.Context, customerID string) workflow.Context {
	return workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            redress.WinbackWorkflowID(customerID),
		TaskQueue:             TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	})
}

// winbackOncePerMergedCustomer is where a complaint began to look for a
// win-back under way for its customer in PostgreSQL, before starting one:
// a win-back that began for a customer since merged into this one runs
// under the other customer's workflow id, which the child's id cannot
// find.
const winbackOncePerMergedCustomer = "winback-once-per-merged-customer"

// startWinback starts the customer's win-back, unless one already runs.
func (wf *complaint) startWinback(ctx workflow.Context) error {
	reason := wf.winbackReason
	wf.winbackReason = ""
	if workflow.GetVersion(ctx, winbackOncePerMergedCustomer, workflow.DefaultVersion, 1) >= 1 {
		var running bool
		if err := project(ctx, &running, activities.WinbackRunningName, wf.in.CustomerID); err != nil {
			return err
		}
		if running {
			wf.note(ctx, "system", redress.KindWinbackSkipped, "Win-back due ("+reason+") but one already runs for this customer")
			return wf.commit(ctx)
		}
	}
	// Disconnected: cancelling the complaint must not reach a win-back that
	// outlives it.
	disconnected, _ := workflow.NewDisconnectedContext(ctx)
	child := workflow.ExecuteChildWorkflow(winbackChild(disconnected, wf.in.CustomerID), "Winback", WinbackInput{CustomerID: wf.in.CustomerID,
		Tier: wf.in.CustomerTier, ComplaintID: wf.in.ComplaintID, Reason: reason, Policy: wf.in.Policy.Winback})
	err := child.GetChildWorkflowExecution().Get(ctx, nil)
	var running *temporal.ChildWorkflowExecutionAlreadyStartedError
	switch {
	case errors.As(err, &running):
		wf.note(ctx, "system", redress.KindWinbackSkipped, "Win-back due ("+reason+") but one already runs for this customer")
	case err != nil:
		return err
	default:
		wf.note(ctx, "system", redress.KindWinbackStarted, "Win-back started: "+reason)
	}
	return wf.commit(ctx)
}

// winbackWindowChange is where a win-back began to count a purchase by one
// rule, redress.WinsBack, on either path.
const winbackWindowChange = "winback-purchase-window"

// winbackCouponChange is where a coupon offer began to carry a code.
const winbackCouponChange = "winback-coupon-code"

// newCouponCode is 12 characters of CouponAlphabet (60 random bits) in
// groups of four.
func newCouponCode() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on a supported system
	}
	code := make([]byte, 0, 14)
	for i, v := range b {
		if i > 0 && i%4 == 0 {
			code = append(code, '-')
		}
		code = append(code, redress.CouponAlphabet[int(v)%len(redress.CouponAlphabet)])
	}
	return string(code)
}

// winbackSeq numbers a win-back's timeline lines apart from the complaint
// workflow's own steps.
const winbackSeq = 100000

// Winback offers the customer the policy's offer for their tier, gives the
// account team a follow-up task, and waits up to winback.within for a
// purchase: won back, or lost.
func Winback(ctx workflow.Context, in WinbackInput) (redress.Winback, error) {
	terms := in.Policy.Offers[in.Tier]
	offer := terms.Describe()
	offeredAt := workflow.Now(ctx).UTC()
	run := workflow.GetInfo(ctx).WorkflowExecution.RunID
	var coupon *redress.Coupon
	if terms.Kind == "coupon" && workflow.GetVersion(ctx, winbackCouponChange, workflow.DefaultVersion, 1) >= 1 {
		var code string
		if err := workflow.SideEffect(ctx, func(workflow.Context) any { return newCouponCode() }).Get(&code); err != nil {
			return redress.Winback{}, err
		}
		coupon = &redress.Coupon{Code: code, Percent: terms.Percent, ExpiresAt: offeredAt.Add(in.Policy.Within.D())}
	}
	record := func(seq int, wb redress.Winback, kind, detail string, events ...redress.Event) error {
		for i := range events {
			events[i].ID = redress.WinbackEventID(in.CustomerID, run, events[i].Type)
			events[i].OccurredAt, events[i].ComplaintID, events[i].CustomerID = workflow.Now(ctx).UTC(), in.ComplaintID, in.CustomerID
		}
		ch := redress.WinbackChange{ComplaintID: in.ComplaintID, CustomerID: in.CustomerID, RunID: run, Reason: in.Reason,
			StartedAt: offeredAt, At: workflow.Now(ctx).UTC(), Seq: winbackSeq + seq, Winback: wb,
			Timeline: []redress.TimelineEntry{{At: workflow.Now(ctx).UTC(), Actor: redress.BySystem, By: redress.BySystem,
				Kind: kind, Public: redress.PublicKind(kind), Detail: detail}},
			Events: events, Tier: in.Tier}
		if seq == 1 {
			ch.Coupon = coupon
		}
		return project(ctx, nil, activities.ApplyWinbackName, ch)
	}

	wb := redress.Winback{Status: redress.WinbackOffered, Offer: offer}
	// The terms let the customer's mail word the offer in their language.
	offered := map[string]any{"offer": offer, "terms": terms}
	if coupon != nil {
		offered["coupon"], offered["coupon_expires_at"] = coupon.Code, coupon.ExpiresAt.Format(time.RFC3339)
	}
	if err := record(1, wb, redress.KindWinbackOffered, "Win-back offered ("+in.Reason+"): "+offer,
		redress.Event{Type: redress.EventWinbackOffered, Data: offered},
		redress.Event{Type: redress.EventWinbackFollowUp, Data: map[string]any{"offer": offer, "reason": in.Reason,
			"call": in.Policy.Offers[in.Tier].Call, "tier": string(in.Tier)}}); err != nil {
		return wb, err
	}

	// Win-backs offered before this change counted any purchase signalled,
	// and any stored since the offer.
	oneRule := workflow.GetVersion(ctx, winbackWindowChange, workflow.DefaultVersion, 1) >= 1
	within := in.Policy.Within.D()
	purchased, timedOut := false, false
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, PurchaseSignal), func(c workflow.ReceiveChannel, _ bool) {
		var p redress.Purchase
		c.Receive(ctx, &p)
		if oneRule && !redress.WinsBack(offeredAt, within, p.At) {
			return // made before the offer, or after its window: it does not count
		}
		if in.Policy.CouponOnly && coupon != nil && p.CouponRunID != run {
			return // the policy counts only the coupon's redemption
		}
		purchased = true
		cancelTimer()
	})
	sel.AddFuture(workflow.NewTimer(timerCtx, within), func(workflow.Future) { timedOut = true })
	for !purchased && !timedOut {
		sel.Select(ctx)
	}
	if !purchased {
		// A purchase stored while its signal was lost still counts.
		var err error
		if in.Policy.CouponOnly && coupon != nil {
			err = project(ctx, &purchased, activities.CouponRedeemedName, run)
		} else if oneRule {
			from, until := redress.WinbackWindow(offeredAt, within)
			err = project(ctx, &purchased, activities.PurchasedWithinName, in.CustomerID, from, until)
		} else {
			err = project(ctx, &purchased, activities.PurchasedSinceName, in.CustomerID, offeredAt)
		}
		if err != nil {
			return wb, err
		}
	}

	wb.Status = redress.WinbackFinished
	if purchased {
		wb.Outcome = redress.WinbackWonBack
		return wb, record(2, wb, redress.KindWinbackWonBack, "The customer bought again: won back",
			redress.Event{Type: redress.EventWinbackWonBack, Data: map[string]any{"offer": offer}})
	}
	wb.Outcome = redress.WinbackLost
	return wb, record(2, wb, redress.KindWinbackLost, "No purchase within "+in.Policy.Within.String()+": lost",
		redress.Event{Type: redress.EventWinbackLost, Data: map[string]any{"offer": offer}})
}
