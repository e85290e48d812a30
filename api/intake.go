package api

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/workflows"
)

// customerRef names a known customer by id, or describes one to match by
// external id, else e-mail, else phone, or to create.
type customerRef struct {
	ID         string       `json:"id,omitempty"`
	ExternalID string       `json:"external_id,omitempty"`
	Name       string       `json:"name,omitempty"`
	Email      string       `json:"email,omitempty"`
	Phone      string       `json:"phone,omitempty"`
	Tier       redress.Tier `json:"tier,omitempty"`
	Language   string       `json:"language,omitempty"`
}

type complaintRequest struct {
	Customer    *customerRef     `json:"customer"`
	Channel     redress.Channel  `json:"channel"`
	Subject     string           `json:"subject"`
	Description string           `json:"description"`
	Category    redress.Category `json:"category,omitempty"`
	Severity    redress.Severity `json:"severity,omitempty"`
	OrderRef    string           `json:"order_ref,omitempty"`
}

// complaintResponse is the complaint with, in intake's answer only, the
// customer's tracking token.
type complaintResponse struct {
	*redress.Complaint
	TrackingToken string `json:"tracking_token,omitempty"`
}

// customer is the customer that the reference names or describes.
func (r *customerRef) customer() redress.Customer {
	return redress.Customer{ID: r.ID, ExternalID: r.ExternalID, Name: r.Name, Email: r.Email, Phone: r.Phone, Tier: r.Tier,
		Language: r.Language}
}

func (r *complaintRequest) validate() error {
	ch := &redress.Checker{}
	redress.CheckEnum(ch, "channel", r.Channel, true, redress.Channels)
	ch.Text("subject", r.Subject, true, 200)
	ch.Text("description", r.Description, true, 10000)
	redress.CheckEnum(ch, "category", r.Category, false, redress.Categories)
	redress.CheckEnum(ch, "severity", r.Severity, false, redress.Severities)
	ch.Text("order_ref", r.OrderRef, false, 100)
	switch cu := r.Customer; {
	case cu == nil:
		ch.Fail("customer", "is required: {id} of a known customer, or {external_id, name, email, phone, tier}")
	case cu.ID != "":
		if cu.ExternalID != "" || cu.Name != "" || cu.Email != "" || cu.Phone != "" || cu.Tier != "" || cu.Language != "" {
			ch.Fail("customer", "give either the id of a known customer or the customer's details, not both")
		} else if _, err := uuid.Parse(cu.ID); err != nil {
			ch.Fail("customer.id", "must be a customer id from this API")
		}
	default:
		checkCustomerDetails(ch, "customer.", cu)
	}
	return ch.Err()
}

// checkCustomerDetails validates a customer described by its details.
func checkCustomerDetails(ch *redress.Checker, prefix string, cu *customerRef) {
	ch.Text(prefix+"external_id", cu.ExternalID, false, 200)
	ch.Text(prefix+"name", cu.Name, false, 200)
	ch.Email(prefix+"email", cu.Email)
	ch.Phone(prefix+"phone", cu.Phone)
	redress.CheckEnum(ch, prefix+"tier", cu.Tier, false, redress.Tiers)
	redress.CheckEnum(ch, prefix+"language", cu.Language, false, redress.Languages)
	if cu.ExternalID == "" && cu.Email == "" && cu.Phone == "" {
		field := strings.TrimSuffix(prefix, ".")
		if field == "" {
			field = "external_id"
		}
		ch.Fail(field, "needs an external_id, an email or a phone so the customer can be matched and told")
	}
}

// createComplaint files a complaint. The idempotency check, the customer's
// match or creation and the complaint are one transaction, so a refused
// request changes no customer. The answer is 201 only once the complaint is
// in PostgreSQL and its workflow runs; a crash in between is repaired by the
// starter (worker) or by a retry under the same key.
func (s *Server) createComplaint(c echo.Context) error {
	var req complaintRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	key := c.Request().Header.Get("Idempotency-Key")
	if err := desk.ValidIdempotencyKey(key); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	canonical, _ := json.Marshal(req) // field order fixed: formatting does not make a request "different"
	requestHash := sha256.Sum256(canonical)
	ctx := c.Request().Context()
	ref := req.Customer
	filed, err := s.db.CreateComplaint(ctx, postgres.Intake{
		Customer: ref.customer(),
		Build: func(customer *redress.Customer) postgres.Filing {
			return s.filing(&req, customer, redress.ByKey(caller(c).Name))
		},
		Caller: caller(c).Name, IdempotencyKey: key, RequestHash: requestHash[:],
	})
	if ref.ID != "" && redress.ErrorCode(err) == redress.ENOTFOUND {
		return redress.Invalid(redress.FieldError{Field: "customer.id", Message: "no customer has this id"})
	}
	if err != nil {
		return err
	}
	if !filed.Created {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	stored, err := s.db.Complaint(ctx, filed.ComplaintID)
	if err != nil {
		return err
	}
	if err := s.startWorkflow(c, stored, filed.Customer.Tier, filed.Created); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, complaintResponse{Complaint: stored, TrackingToken: s.tokens.Tracking(stored.ID)})
}

// filing classifies and prioritises a new complaint for its customer, sets
// its first SLA deadlines, and writes its first timeline line and receipt.
func (s *Server) filing(req *complaintRequest, customer *redress.Customer, by string) postgres.Filing {
	now := time.Now().UTC().Truncate(time.Microsecond) // PostgreSQL's precision, so reads compare equal
	category := req.Category
	if category == "" {
		category = redress.Classify(req.Subject, req.Description)
	}
	severity := req.Severity
	if severity == "" {
		severity = redress.SeverityMedium
	}
	priority := redress.DerivePriority(severity, category, customer.Tier)
	clock, sla := s.clocks[priority], s.policy.SLA[priority]
	ackDue, resolveDue := clock.Add(now, sla.AckWithin.D()), clock.Add(now, sla.ResolveWithin.D())
	id := uuid.Must(uuid.NewV7()).String()
	token := s.tokens.Tracking(id)
	return postgres.Filing{
		Complaint: redress.Complaint{
			ID: id, CustomerID: customer.ID, Category: category, Severity: severity,
			Channel: req.Channel, Subject: req.Subject, Description: req.Description, OrderRef: req.OrderRef, CreatedAt: now,
			State: redress.State{Status: redress.StatusReceived, Priority: priority, AckDueAt: &ackDue, ResolveDueAt: &resolveDue,
				Survey: redress.Survey{Status: redress.SurveyPending}},
		},
		TrackingTokenHash: tokens.Hash(token),
		Received: redress.TimelineEntry{At: now, Actor: string(req.Channel), By: by, Kind: redress.KindReceived, Public: redress.PublicKind(redress.KindReceived),
			Detail: "Complaint received through " + string(req.Channel) + "; priority " + string(priority)},
		ReceivedEvent: redress.Event{ID: id + "-1-" + redress.EventReceived, Type: redress.EventReceived,
			OccurredAt: now, ComplaintID: id, CustomerID: customer.ID,
			Data: map[string]any{"tracking_url": s.tokens.TrackingURL(token)}},
	}
}

// startTimeout bounds the wait for Temporal: past it the caller gets a 503
// and the complaint, already stored, is started by the worker's sweep.
const startTimeout = 10 * time.Second

// startWorkflow starts the workflow of a complaint that never had one: a
// fresh one, or one whose first intake died before starting it. A retry of
// an intake whose complaint has run (its workflow may since be gone with
// Temporal's retention) starts nothing.
func (s *Server) startWorkflow(c echo.Context, complaint *redress.Complaint, tier redress.Tier, fresh bool) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), startTimeout)
	defer cancel()
	if !fresh {
		started, err := s.db.WorkflowStarted(ctx, complaint.ID)
		if err != nil || started {
			return err
		}
	}
	in := workflows.NewComplaintInput(complaint, tier, s.policy)
	if err := workflows.StartComplaint(ctx, s.temporal, in); err != nil {
		return desk.TemporalError(err)
	}
	if err := s.db.MarkWorkflowStarted(ctx, complaint.ID); err != nil {
		// The workflow runs; its first write sets the flag too.
		s.logger.Warn("mark workflow started", "complaint", complaint.ID, "error", err)
	}
	return nil
}
