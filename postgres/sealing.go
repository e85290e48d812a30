package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/crypt"
)

// sealedCustomer is what a customer's row keeps of its details: each
// sealed with the customer's data key, and the keyed hashes that find it.
type sealedCustomer struct {
	name, email, phone   string
	emailHash, phoneHash string // "" for none
	grams                []int32
}

func (db *DB) sealCustomer(ctx context.Context, q querier, c redress.Customer) (sealedCustomer, error) {
	k, err := db.key(ctx, q, c.ID)
	if err != nil {
		return sealedCustomer{}, err
	}
	ix, err := db.indexKey(ctx, q)
	if err != nil {
		return sealedCustomer{}, err
	}
	return sealedCustomer{
		name:      k.Seal(place("customers.name", c.ID), c.Name),
		email:     k.Seal(place("customers.email", c.ID), c.Email),
		phone:     k.Seal(place("customers.phone", c.ID), c.Phone),
		emailHash: ix.Email(c.Email),
		phoneHash: ix.Phone(c.Phone),
		grams:     ix.Grams(c.Name, c.Email),
	}, nil
}

// openCustomer opens a customer's details in place, and completes its
// erasure's state.
func (db *DB) openCustomer(ctx context.Context, q querier, c *redress.Customer) error {
	if c.ErasedAt != nil {
		*c.ErasedAt = c.ErasedAt.UTC()
		if c.Erasure != nil {
			c.Erasure.Status, c.Erasure.ErasedAt = redress.ErasureDone, c.ErasedAt
		}
	}
	o := db.opener(ctx, q)
	o.text(place("customers.name", c.ID), &c.Name)
	o.text(place("customers.email", c.ID), &c.Email)
	o.text(place("customers.phone", c.ID), &c.Phone)
	return o.err
}

// emailKeys are the match keys an e-mail may be stored under: its keyed
// hash, and the clear key of a customer the sealing job has not reached
// yet (migration 0004's form).
func emailKeys(ix crypt.Index, email string) []string {
	if crypt.NormalEmail(email) == "" {
		return []string{}
	}
	return []string{ix.Email(email), crypt.NormalEmail(email)}
}

// phoneKeys are emailKeys for a phone.
func phoneKeys(ix crypt.Index, phone string) []string {
	if crypt.NormalPhone(phone) == "" {
		return []string{}
	}
	return []string{ix.Phone(phone), crypt.NormalPhone(phone)}
}

// sealJSON is v as JSON sealed with the customer's key, stored in a jsonb
// column as a JSON string.
func (db *DB) sealJSON(ctx context.Context, q querier, customerID, place string, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	k, err := db.key(ctx, q, customerID)
	if err != nil {
		return nil, err
	}
	return json.Marshal(k.Seal(place, string(plain)))
}

// openJSON reads what sealJSON stored into v; a value stored before
// encryption at rest is read as it is, and an erased one as nothing.
func (db *DB) openJSON(ctx context.Context, q querier, place string, raw []byte, v any) error {
	var sealed string
	if err := json.Unmarshal(raw, &sealed); err != nil {
		return json.Unmarshal(raw, v) // not a string: clear JSON
	}
	plain, err := db.open(ctx, q, place, sealed)
	if err != nil || plain == "" {
		return err
	}
	return json.Unmarshal([]byte(plain), v)
}

// complaintKey is the data key of a complaint's customer.
func (db *DB) complaintKey(ctx context.Context, q querier, complaintID string) (*crypt.DataKey, error) {
	var customerID string
	err := q.QueryRow(ctx, `SELECT customer_id::text FROM complaints WHERE id::text = $1`, complaintID).Scan(&customerID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, redress.Errorf(redress.ENOTFOUND, "no complaint %q", complaintID)
	}
	if err != nil {
		return nil, err
	}
	return db.key(ctx, q, customerID)
}

// sealedComplaint is what a complaint's row keeps of its texts.
type sealedComplaint struct {
	subject, description string
	resolution, survey   []byte
	grams                []int32
}

func (db *DB) sealComplaint(ctx context.Context, q querier, c redress.Complaint) (sealedComplaint, error) {
	k, err := db.key(ctx, q, c.CustomerID)
	if err != nil {
		return sealedComplaint{}, err
	}
	ix, err := db.indexKey(ctx, q)
	if err != nil {
		return sealedComplaint{}, err
	}
	resolution, survey := sealOutcome(k, c.ID, c.Resolution, c.Survey)
	return sealedComplaint{
		subject:     k.Seal(place("complaints.subject", c.ID), c.Subject),
		description: k.Seal(place("complaints.description", c.ID), c.Description),
		resolution:  resolution,
		survey:      survey,
		grams:       ix.Grams(c.Subject, c.Description, c.OrderRef),
	}, nil
}

// sealOutcome is a complaint's resolution and survey as JSON with their
// free texts sealed: the summary and the customer's comment. The rest
// (type, root cause, status, score) stays clear for analytics.
func sealOutcome(k *crypt.DataKey, complaintID string, resolution *redress.Resolution, survey redress.Survey) (resolutionJSON, surveyJSON []byte) {
	if resolution != nil {
		r := *resolution
		r.Summary = k.Seal(place("complaints.resolution.summary", complaintID), r.Summary)
		resolution = &r
	}
	survey.Comment = k.Seal(place("complaints.survey.comment", complaintID), survey.Comment)
	resolutionJSON, _ = json.Marshal(resolution)
	surveyJSON, _ = json.Marshal(survey)
	return resolutionJSON, surveyJSON
}

// scanComplaint reads a row of complaintColumns and opens its texts.
func (db *DB) scanComplaint(ctx context.Context, q querier, row pgx.Row) (*redress.Complaint, error) {
	c, err := scanComplaint(row)
	if err != nil {
		return nil, err
	}
	o := db.opener(ctx, q)
	o.text(place("complaints.subject", c.ID), &c.Subject)
	o.text(place("complaints.description", c.ID), &c.Description)
	o.text(place("complaints.survey.comment", c.ID), &c.Survey.Comment)
	if c.Resolution != nil {
		o.text(place("complaints.resolution.summary", c.ID), &c.Resolution.Summary)
	}
	if c.FollowUp != nil {
		o.text(place("complaints.followup_note", c.ID), &c.FollowUp.Note)
	}
	return c, o.err
}

// sealEvent is an event's data for the outbox, sealed with the key of its
// customer (else its complaint's); an event of neither holds no one's data.
func (db *DB) sealEvent(ctx context.Context, q querier, e redress.Event) ([]byte, error) {
	var k *crypt.DataKey
	var err error
	switch {
	case e.CustomerID != "":
		k, err = db.key(ctx, q, e.CustomerID)
	case e.ComplaintID != "":
		k, err = db.complaintKey(ctx, q, e.ComplaintID)
	default:
		return json.Marshal(e.Data)
	}
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(e.Data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(k.Seal(place("outbox.data", e.ID), string(plain)))
}
