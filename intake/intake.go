// Package intake files new complaints: the one operation behind every front
// door that takes a complaint (the JSON API, inbound e-mail, the public
// form). It matches or creates the customer, classifies and prioritises the
// complaint, sets its first deadlines, stores it with its receipt and starts
// its workflow.
package intake

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/workflows"
)

// Limits of a complaint's text; a front door that cannot refuse (mail)
// shortens to them.
const (
	MaxSubject     = 200
	MaxDescription = 10000
	MaxOrderRef    = 100
)

// SameRequestWindow is how long a request without an idempotency key that
// repeats one from the same caller (same customer, channel and text) is
// taken for its retry and answered with the first complaint.
const SameRequestWindow = 10 * time.Minute

// Service files complaints.
type Service struct {
	db       *postgres.DB
	temporal client.Client
	policy   redress.Policy
	clocks   map[redress.Priority]*redress.Calendar // built once: a calendar loads its time zone
	tokens   *tokens.Signer
	logger   *slog.Logger
	// published are the versions of the published policies, which each
	// complaint records.
	published map[string]string
}

// New builds the intake over the record store and Temporal.
func New(db *postgres.DB, temporal client.Client, policy redress.Policy, published map[string]string, signer *tokens.Signer, logger *slog.Logger) *Service {
	s := &Service{db: db, temporal: temporal, policy: policy, clocks: map[redress.Priority]*redress.Calendar{},
		tokens: signer, logger: logger, published: published}
	for _, p := range redress.Priorities {
		s.clocks[p] = policy.Clock(p)
	}
	return s
}

// Complaint is a new complaint as a front door describes it, checked.
type Complaint struct {
	// Customer is a known customer's id, or the details to find or create
	// the customer by (one rule for every front door).
	Customer    redress.Customer
	Channel     redress.Channel
	Subject     string
	Description string
	Category    redress.Category // classified from the text when empty
	Severity    redress.Severity // medium when empty
	OrderRef    string
	// Follows is the closed complaint that this one continues, when the
	// customer writes again after it was closed.
	Follows string
}

// Request is a complaint with who files it.
type Request struct {
	Complaint
	// Caller is who files it: an API key's name, or the channel. It is the
	// source of any change to the customer and the namespace of its keys.
	Caller string
	// By is the maker of the first timeline line (redress.ByKey, ...).
	By string
	// IdempotencyKey, when set, makes a retry the first request; without
	// it the same request within SameRequestWindow is. RequestHash tells
	// a retry from another request under the same key.
	IdempotencyKey string
	RequestHash    []byte
	// Mail is the customer's mail that files the complaint, if any; it is
	// stored with the complaint, so that the receipt answers it.
	Mail *postgres.InboundMail
}

// Filed is the complaint a request filed, or found filed before.
type Filed struct {
	Complaint     *redress.Complaint
	TrackingToken string
	Customer      *redress.Customer
	Created       bool // false for a retry answered with the first request's complaint
	// Started is false when the complaint is stored but its workflow could
	// not be started yet; the worker's sweep starts it within seconds.
	Started bool
}

// startTimeout bounds the wait for Temporal: past it the complaint, already
// stored, is started by the worker's sweep.
const startTimeout = 10 * time.Second

// File stores the complaint and starts its workflow. An error means nothing
// was stored; once the complaint is stored File succeeds, with Started
// false when Temporal did not take the workflow in time.
func (s *Service) File(ctx context.Context, r Request) (Filed, error) {
	key, window := r.IdempotencyKey, time.Duration(0)
	if key == "" {
		key, window = sameRequestKey(r.RequestHash), SameRequestWindow
	}
	filed, err := s.db.CreateComplaint(ctx, postgres.Intake{
		Customer: r.Customer,
		Build: func(customer *redress.Customer, open []redress.DuplicateCandidate) postgres.Filing {
			return s.filing(&r, customer, open)
		},
		DuplicatesWithin: s.policy.Duplicates.Within.D(),
		Caller:           r.Caller,
		IdempotencyKey:   key, KeyWindow: window, RequestHash: r.RequestHash,
	})
	if err != nil {
		return Filed{}, err
	}
	stored, err := s.db.Complaint(ctx, filed.ComplaintID)
	if err != nil && filed.Stored != nil {
		// Committed: the caller is told so, with what was stored, rather
		// than to retry.
		s.logger.Warn("complaint stored, reading it back failed", "complaint", filed.ComplaintID, "error", err)
		stored, err = filed.Stored, nil
	}
	if err != nil {
		// A retry, stored and started by the sweep; the next one is answered with it.
		return Filed{}, err
	}
	out := Filed{Complaint: stored, TrackingToken: s.tokens.Tracking(stored.ID), Customer: filed.Customer, Created: filed.Created}
	if err := s.start(ctx, stored, filed.Customer.Tier, filed.Created); err != nil {
		s.logger.Warn("complaint stored, its workflow left to the sweep", "complaint", stored.ID, "error", err)
		return out, nil
	}
	out.Started = true
	return out, nil
}

func sameRequestKey(hash []byte) string { return "same-request:" + hex.EncodeToString(hash) }

// filing classifies and prioritises a new complaint for its customer, sets
// its first SLA deadlines, and writes its first timeline line and receipt.
func (s *Service) filing(r *Request, customer *redress.Customer, open []redress.DuplicateCandidate) postgres.Filing {
	now := time.Now().UTC().Truncate(time.Microsecond) // PostgreSQL's precision, so reads compare equal
	category := r.Category
	if category == "" {
		category = redress.Classify(r.Subject, r.Description)
	}
	severity := r.Severity
	if severity == "" {
		severity = redress.SeverityMedium
	}
	priority := redress.DerivePriority(severity, category, customer.Tier)
	kept, rows := s.policy.ForTier(customer.Tier)
	clock, sla := s.clocks[priority], kept.SLA[priority]
	ackDue, resolveDue := clock.Add(now, sla.AckWithin.D()), clock.Add(now, sla.ResolveWithin.D())
	id := uuid.Must(uuid.NewV7()).String()
	token := s.tokens.Tracking(id)
	detail := "Complaint received through " + string(r.Channel) + "; priority " + string(priority)
	data := map[string]any{} // the tracking link is added at delivery (notify.withLinks)
	if r.Follows != "" {
		detail += "; it follows the closed complaint " + r.Follows
		data["follows"] = r.Follows
	}
	duplicateOf := redress.PossibleDuplicate(r.Subject, r.Description, r.OrderRef, open, s.policy.Duplicates.Threshold)
	if duplicateOf != "" {
		data["possible_duplicate_of"] = duplicateOf
	}
	policy, _ := json.Marshal(kept) // plain data: it cannot fail
	return postgres.Filing{
		Policy: policy,
		Complaint: redress.Complaint{
			ID: id, CustomerID: customer.ID, Category: category, Severity: severity,
			Channel: r.Channel, Subject: r.Subject, Description: r.Description, OrderRef: r.OrderRef, CreatedAt: now,
			PossibleDuplicateOf: duplicateOf, SLARow: rows[priority], PolicyVersions: s.published,
			State: redress.State{Status: redress.StatusReceived, Priority: priority, AckDueAt: &ackDue, ResolveDueAt: &resolveDue,
				Survey: redress.Survey{Status: redress.SurveyPending}},
		},
		TrackingTokenHash: tokens.Hash(token),
		Received: redress.TimelineEntry{At: now, Actor: string(r.Channel), By: r.By, Kind: redress.KindReceived,
			Public: redress.PublicKind(redress.KindReceived), Detail: detail},
		ReceivedEvent: redress.Event{ID: id + "-1-" + redress.EventReceived, Type: redress.EventReceived,
			OccurredAt: now, ComplaintID: id, CustomerID: customer.ID, Data: data},
		Mail: r.Mail,
	}
}

// start starts the workflow of a complaint that never had one: a fresh one,
// or one whose first intake died before starting it. A retry of an intake
// whose complaint has run (its workflow may since be gone with Temporal's
// retention) starts nothing.
func (s *Service) start(ctx context.Context, complaint *redress.Complaint, tier redress.Tier, fresh bool) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if !fresh {
		started, err := s.db.WorkflowStarted(ctx, complaint.ID)
		if err != nil || started {
			return err
		}
	}
	kept, _ := s.policy.ForTier(tier)
	in := workflows.NewComplaintInput(complaint, tier, kept)
	if err := workflows.StartComplaint(ctx, s.temporal, in); err != nil {
		return desk.TemporalError(err)
	}
	if err := s.db.MarkWorkflowStarted(ctx, complaint.ID); err != nil {
		// The workflow runs; its first write sets the flag too.
		s.logger.Warn("mark workflow started", "complaint", complaint.ID, "error", err)
	}
	return nil
}
