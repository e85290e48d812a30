package api

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/intake"
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
	ch.Text("subject", r.Subject, true, intake.MaxSubject)
	ch.Text("description", r.Description, true, intake.MaxDescription)
	redress.CheckEnum(ch, "category", r.Category, false, redress.Categories)
	redress.CheckEnum(ch, "severity", r.Severity, false, redress.Severities)
	ch.Text("order_ref", r.OrderRef, false, intake.MaxOrderRef)
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

// createComplaint files a complaint. The answer is 201 once the complaint is
// in PostgreSQL and its workflow runs, and 202 with the same body when it is
// stored but Temporal did not take its workflow in time: the worker's sweep
// starts it, and a retry is answered with the same complaint.
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
	filed, err := s.intake.File(c.Request().Context(), intake.Request{
		Complaint: intake.Complaint{Customer: req.Customer.customer(), Channel: req.Channel, Subject: req.Subject,
			Description: req.Description, Category: req.Category, Severity: req.Severity, OrderRef: req.OrderRef},
		Caller: caller(c).Name, By: redress.ByKey(caller(c).Name),
		IdempotencyKey: key, RequestHash: requestHash[:],
	})
	if req.Customer.ID != "" && redress.ErrorCode(err) == redress.ENOTFOUND {
		return redress.Invalid(redress.FieldError{Field: "customer.id", Message: "no customer has this id"})
	}
	if err != nil {
		return err
	}
	if !filed.Created {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	status := http.StatusCreated
	if !filed.Started {
		status = http.StatusAccepted
	}
	complaint := filed.Complaint
	if intakeCaller(caller(c)) {
		complaint = filerView(complaint)
	}
	return c.JSON(status, complaintResponse{Complaint: complaint, TrackingToken: filed.TrackingToken})
}
