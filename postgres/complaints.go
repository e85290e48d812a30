package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

const complaintColumns = `id, customer_id, status, priority, category, severity, channel, subject, description,
	order_ref, escalation_level, sla_breached, assignee, created_at, ack_due_at, resolve_due_at,
	acknowledged_at, resolved_at, closed_at, resolution, survey, winback, resolve_paused_at, resolve_left_seconds,
	coalesce(possible_duplicate_of::text, ''), coalesce(merged_into::text, ''), filed_by, sla_row, policy_versions,
	followup_due_at, followup_outcome, followup_note, followup_recorded_at, followup_recorded_by`

func scanComplaint(row pgx.Row) (*redress.Complaint, error) {
	var c redress.Complaint
	var id, customerID uuid.UUID
	var resolution, survey, winback []byte
	var f redress.FollowUp
	var outcome, note, recordedBy *string
	err := row.Scan(&id, &customerID, &c.Status, &c.Priority, &c.Category, &c.Severity, &c.Channel,
		&c.Subject, &c.Description, &c.OrderRef, &c.EscalationLevel, &c.SLABreached, &c.Assignee,
		&c.CreatedAt, &c.AckDueAt, &c.ResolveDueAt, &c.AcknowledgedAt, &c.ResolvedAt, &c.ClosedAt,
		&resolution, &survey, &winback, &c.ResolvePausedAt, &c.ResolveLeftSeconds, &c.PossibleDuplicateOf, &c.MergedInto, &c.FiledBy, &c.SLARow, &c.PolicyVersions,
		&c.FollowUpDueAt, &outcome, &note, &f.RecordedAt, &recordedBy)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, redress.Errorf(redress.ENOTFOUND, "no such complaint")
		}
		return nil, wrap(err)
	}
	c.ID, c.CustomerID = id.String(), customerID.String()
	if f.RecordedAt != nil {
		f.Outcome, f.Note, f.RecordedBy = *outcome, *note, *recordedBy
		utc(f.RecordedAt)
		c.FollowUp = &f
	}
	if resolution != nil {
		if err := json.Unmarshal(resolution, &c.Resolution); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(survey, &c.Survey); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(winback, &c.Winback); err != nil {
		return nil, err
	}
	utc(&c.CreatedAt)
	for _, t := range []*time.Time{c.AckDueAt, c.ResolveDueAt, c.AcknowledgedAt, c.ResolvedAt, c.ClosedAt, c.ResolvePausedAt, c.FollowUpDueAt} {
		utc(t)
	}
	return &c, nil
}

func utc(t *time.Time) {
	if t != nil {
		*t = t.UTC()
	}
}

// Intake is one complaint as the intake endpoint files it.
type Intake struct {
	// Customer is a known customer's ID, or the details to match or create
	// the customer by (as UpsertCustomer does).
	Customer redress.Customer
	// Build makes the complaint for the customer it is filed for; it runs
	// inside the transaction, once the customer is known, and is given the
	// customer's open complaints filed within DuplicatesWithin, newest
	// first, to tell whether it repeats one.
	Build            func(customer *redress.Customer, open []redress.DuplicateCandidate) Filing
	DuplicatesWithin time.Duration
	// Caller and IdempotencyKey deduplicate retries; RequestHash tells a
	// retry from a different request under the same key. Caller is also the
	// source of the change to the customer, if any.
	Caller, IdempotencyKey string
	RequestHash            []byte
	// KeyWindow, when not zero, is how long the key stands: an earlier
	// intake under it counts only within it, and an older one gives the
	// key up (the same request again, much later, is a new complaint).
	KeyWindow time.Duration
}

// Filing is a new complaint with what is stored along with it.
type Filing struct {
	Complaint         redress.Complaint // with its id, first state and no timeline
	TrackingTokenHash []byte
	Received          redress.TimelineEntry // the first line of the timeline (seq 1)
	ReceivedEvent     redress.Event
	Policy            json.RawMessage // the policy in force, which the complaint keeps for life
	// Mail is the customer's mail that opened the complaint, if any: stored
	// with it, so that the receipt already answers it in the thread.
	Mail *InboundMail
}

// Filed is what CreateComplaint did.
type Filed struct {
	ComplaintID string
	Customer    *redress.Customer // the complaint's customer as it now stands
	Created     bool              // false for a retry answered with the first request's complaint
	// Stored is the complaint as this request stored it (nil for a
	// retry): the answer when the database fails right after the commit.
	Stored *redress.Complaint
}

// CreateComplaint matches or creates the customer, records the change to it,
// and stores a new complaint with the first line of its timeline and its
// receipt in the outbox, all in one transaction. Under an idempotency key
// already used for the same request it stores and changes nothing and
// returns the complaint that the first request created, with
// Created=false; under a key used for another request it fails with
// ECONFLICT. A refused request leaves the customer as it was.
func (db *DB) CreateComplaint(ctx context.Context, in Intake) (Filed, error) {
	var filed Filed
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if in.IdempotencyKey != "" {
			earlier, found, err := db.earlierIntake(ctx, tx, in)
			if err != nil || found {
				filed = earlier
				return err
			}
		}
		customer, change, err := db.intakeCustomer(ctx, tx, in.Customer)
		if err != nil {
			return err
		}
		open, err := db.openComplaintsOf(ctx, tx, customer.ID, in.DuplicatesWithin)
		if err != nil {
			return err
		}
		f := in.Build(customer, open)
		c := f.Complaint
		sealed, err := db.sealComplaint(ctx, tx, c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO complaints (id, customer_id, status, priority, category, severity,
			channel, subject, description, order_ref, escalation_level, sla_breached, assignee, created_at,
			ack_due_at, resolve_due_at, resolution, survey, tracking_token_hash, seq, policy, possible_duplicate_of, filed_by, search_grams, sla_row, policy_versions)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, nullif($17::jsonb, 'null'), $18, $19, 1, $20,
				nullif($21, '')::uuid, $22, $23, $24, coalesce($25, '{}'::jsonb))`,
			c.ID, c.CustomerID, c.Status, c.Priority, c.Category, c.Severity, c.Channel, sealed.subject,
			sealed.description, c.OrderRef, c.EscalationLevel, c.SLABreached, c.Assignee, c.CreatedAt,
			c.AckDueAt, c.ResolveDueAt, sealed.resolution, sealed.survey, f.TrackingTokenHash, f.Policy, c.PossibleDuplicateOf, in.Caller,
			sealed.grams, c.SLARow, c.PolicyVersions); err != nil {
			return err
		}
		if in.IdempotencyKey != "" {
			tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (caller, key, request_hash, complaint_id)
				VALUES ($1, $2, $3, $4) ON CONFLICT (caller, key) DO UPDATE
					SET request_hash = EXCLUDED.request_hash, complaint_id = EXCLUDED.complaint_id, created_at = now()
					WHERE $5::float8 > 0 AND idempotency_keys.created_at <= now() - make_interval(secs => $5::float8)`,
				in.Caller, in.IdempotencyKey, in.RequestHash, c.ID, in.KeyWindow.Seconds())
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return errKeyTaken
			}
		}
		if err := db.recordChange(ctx, tx, customer.ID, change, in.Caller, c.ID); err != nil {
			return err
		}
		if err := db.insertTimeline(ctx, tx, c.ID, 1, []redress.TimelineEntry{f.Received}); err != nil {
			return err
		}
		if f.Mail != nil {
			m := *f.Mail
			m.ComplaintID = c.ID
			if err := recordInboundMail(ctx, tx, m); err != nil {
				return err
			}
		}
		stored := c
		stored.FiledBy = in.Caller
		stored.Timeline = []redress.TimelineEntry{f.Received}
		filed = Filed{ComplaintID: c.ID, Customer: customer, Created: true, Stored: &stored}
		return db.insertEvents(ctx, tx, []redress.Event{f.ReceivedEvent})
	})
	if errors.Is(err, errKeyTaken) {
		// A concurrent request under the same key waited on the key's unique
		// index until the first committed, so the first one's row is visible.
		// This request's transaction, its change to the customer included,
		// is rolled back.
		earlier, found, err := db.earlierIntake(ctx, db.pool, in)
		if err == nil && !found {
			err = fmt.Errorf("idempotency key %q taken but not found", in.IdempotencyKey)
		}
		return earlier, wrap(err)
	}
	if err != nil {
		return Filed{}, wrap(err)
	}
	return filed, nil
}

// intakeCustomer is the known customer that an intake names by id, or the
// one its details match or create.
func (db *DB) intakeCustomer(ctx context.Context, tx pgx.Tx, want redress.Customer) (*redress.Customer, *redress.CustomerChange, error) {
	if want.ID != "" {
		cu, err := db.customerByID(ctx, tx, want.ID)
		if err != nil {
			return nil, nil, err
		}
		if cu, err = db.resolveMerged(ctx, tx, cu, ""); err != nil {
			return nil, nil, err
		}
		if cu.Erasure != nil {
			return nil, nil, redress.Errorf(redress.EGONE, "customer %s has been erased; file the complaint with the customer's details instead", want.ID)
		}
		return cu, nil, nil
	}
	return db.matchCustomer(ctx, tx, want)
}

// earlierIntake finds the complaint filed under the intake's idempotency key,
// if any; a different request under that key is an ECONFLICT.
func (db *DB) earlierIntake(ctx context.Context, q querier, in Intake) (Filed, bool, error) {
	var hash []byte
	var complaintID, customerID uuid.UUID
	err := q.QueryRow(ctx, `SELECT k.request_hash, k.complaint_id, c.customer_id
		FROM idempotency_keys k JOIN complaints c ON c.id = k.complaint_id
		WHERE k.caller = $1 AND k.key = $2 AND ($3::float8 = 0 OR k.created_at > now() - make_interval(secs => $3::float8))`,
		in.Caller, in.IdempotencyKey, in.KeyWindow.Seconds()).Scan(&hash, &complaintID, &customerID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Filed{}, false, nil
	}
	if err != nil {
		return Filed{}, false, err
	}
	if !bytes.Equal(hash, in.RequestHash) {
		return Filed{}, true, redress.Errorf(redress.ECONFLICT,
			"the Idempotency-Key %q was already used with a different request", in.IdempotencyKey)
	}
	customer, err := db.customerByID(ctx, q, customerID.String())
	if err != nil {
		return Filed{}, true, err
	}
	return Filed{ComplaintID: complaintID.String(), Customer: customer}, true, nil
}

var errKeyTaken = errors.New("idempotency key taken")

// ComplaintIDByTrackingToken finds the complaint a customer's token opens.
func (db *DB) ComplaintIDByTrackingToken(ctx context.Context, tokenHash []byte) (string, error) {
	return db.complaintIDByToken(ctx, "tracking_token_hash", tokenHash, "no complaint for this tracking link")
}

// ComplaintIDBySurveyToken finds the complaint a survey link belongs to.
func (db *DB) ComplaintIDBySurveyToken(ctx context.Context, tokenHash []byte) (string, error) {
	return db.complaintIDByToken(ctx, "survey_token_hash", tokenHash, "no survey for this link")
}

// complaintIDByToken finds the complaint a customer's link opens; the link
// of a complaint whose personal data was erased is EGONE.
func (db *DB) complaintIDByToken(ctx context.Context, column string, tokenHash []byte, missing string) (string, error) {
	var id uuid.UUID
	var erased bool
	err := db.pool.QueryRow(ctx, `SELECT id, anonymized_at IS NOT NULL FROM complaints WHERE `+column+` = $1`, tokenHash).Scan(&id, &erased)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", redress.Errorf(redress.ENOTFOUND, "%s", missing)
	}
	if err != nil {
		return "", wrap(err)
	}
	if erased {
		return "", redress.Errorf(redress.EGONE, "this complaint's personal data has been erased")
	}
	return id.String(), nil
}

// Complaint returns a complaint with its whole timeline, oldest first.
func (db *DB) Complaint(ctx context.Context, id string) (*redress.Complaint, error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, redress.Errorf(redress.ENOTFOUND, "no complaint %q", id)
	}
	c, err := db.scanComplaint(ctx, db.pool, db.pool.QueryRow(ctx, `SELECT `+complaintColumns+` FROM complaints WHERE id = $1`, uid))
	if redress.ErrorCode(err) == redress.ENOTFOUND {
		return nil, redress.Errorf(redress.ENOTFOUND, "no complaint %q", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT seq, at, actor, made_by, kind, public, detail, breach FROM timeline
		WHERE complaint_id = $1 ORDER BY at, seq`, uid)
	if err != nil {
		return nil, wrap(err)
	}
	o := db.opener(ctx, db.pool)
	c.Timeline, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.TimelineEntry, error) {
		var e redress.TimelineEntry
		var seq int
		err := row.Scan(&seq, &e.At, &e.Actor, &e.By, &e.Kind, &e.Public, &e.Detail, &e.Breach)
		e.At = e.At.UTC()
		o.text(place("timeline.detail", c.ID, seq), &e.Detail)
		return e, err
	})
	if err == nil {
		err = o.err
	}
	if err != nil {
		return nil, wrap(err)
	}
	if c.Attachments, err = db.complaintAttachments(ctx, db.pool, uid); err != nil {
		return nil, err
	}
	return c, nil
}

// maxDuplicateCandidates bounds how many of a customer's open complaints a
// new one is compared with: the newest.
const maxDuplicateCandidates = 50

// openComplaintsOf are the customer's open complaints filed within the
// window, newest first, for the duplicate check.
func (db *DB) openComplaintsOf(ctx context.Context, tx pgx.Tx, customerID string, within time.Duration) ([]redress.DuplicateCandidate, error) {
	if within <= 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT id::text, subject, description, order_ref, created_at FROM complaints
		WHERE customer_id = $1 AND status IN `+openStatuses+` AND created_at >= now() - make_interval(secs => $2)
		ORDER BY created_at DESC LIMIT $3`, customerID, within.Seconds(), maxDuplicateCandidates)
	if err != nil {
		return nil, err
	}
	candidates, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (redress.DuplicateCandidate, error) {
		var c redress.DuplicateCandidate
		return c, row.Scan(&c.ID, &c.Subject, &c.Description, &c.OrderRef, &c.CreatedAt)
	})
	if err != nil {
		return nil, err
	}
	o := db.opener(ctx, tx)
	for i := range candidates {
		c := &candidates[i]
		o.text(place("complaints.subject", c.ID), &c.Subject)
		o.text(place("complaints.description", c.ID), &c.Description)
	}
	return candidates, o.err
}

// ApplyChange projects one step of a complaint's workflow: the new state, the
// timeline lines and the outbox events, in one transaction. It is idempotent
// (an activity retry writes nothing twice) and ignores a step older than the
// one already written. A non-nil surveyTokenHash replaces the survey's token.
//
// The complaint's row is written by one statement, so the analytics
// trigger runs once for the step (migration 0015 explains the locks).
func (db *DB) ApplyChange(ctx context.Context, ch redress.Change, surveyTokenHash []byte) error {
	s := ch.State
	firstSeq := ch.Seq - len(ch.Timeline) + 1
	outcomes := outcomesOf(ch.Timeline)
	setOutcomes, outcomeArgs := outcomes.set(21)
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		k, err := db.complaintKey(ctx, tx, ch.ComplaintID)
		if err != nil {
			return err
		}
		resolution, survey := sealOutcome(k, ch.ComplaintID, s.Resolution, s.Survey)
		tag, err := tx.Exec(ctx, `UPDATE complaints SET status = $3, priority = $4, escalation_level = $5,
			sla_breached = $6, assignee = $7, ack_due_at = $8, resolve_due_at = $9, acknowledged_at = $10,
			resolved_at = $11, closed_at = $12, resolution = nullif($13::jsonb, 'null'), survey = $14,
			survey_token_hash = coalesce($15, survey_token_hash), seq = $2, workflow_started = true,
			resolve_paused_at = $16, resolve_left_seconds = $17, bookkeeping = coalesce($18, bookkeeping),
			merged_into = nullif($19, '')::uuid, followup_due_at = $20,
			followup_outcome = CASE WHEN followup_due_at IS DISTINCT FROM $20 THEN NULL ELSE followup_outcome END,
			followup_note = CASE WHEN followup_due_at IS DISTINCT FROM $20 THEN NULL ELSE followup_note END,
			followup_recorded_by = CASE WHEN followup_due_at IS DISTINCT FROM $20 THEN NULL ELSE followup_recorded_by END,
			followup_recorded_at = CASE WHEN followup_due_at IS DISTINCT FROM $20 THEN NULL ELSE followup_recorded_at END, `+setOutcomes+`
			WHERE id = $1 AND seq < $2`,
			append([]any{ch.ComplaintID, ch.Seq, s.Status, s.Priority, s.EscalationLevel, s.SLABreached, s.Assignee,
				s.AckDueAt, s.ResolveDueAt, s.AcknowledgedAt, s.ResolvedAt, s.ClosedAt, resolution, survey, surveyTokenHash,
				s.ResolvePausedAt, s.ResolveLeftSeconds, nullJSON(ch.Bookkeeping), s.MergedInto, s.FollowUpDueAt}, outcomeArgs...)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			// A later step is written; this one's lines still count.
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT true FROM complaints WHERE id = $1`, ch.ComplaintID).Scan(&exists); err != nil {
				return fmt.Errorf("apply change %d to complaint %s: %w", ch.Seq, ch.ComplaintID, err)
			}
			if err := outcomes.apply(ctx, tx, ch.ComplaintID); err != nil {
				return err
			}
		}
		if err := db.insertTimeline(ctx, tx, ch.ComplaintID, firstSeq, ch.Timeline); err != nil {
			return err
		}
		if ch.UpdateID != "" {
			if err := recordActionKey(ctx, tx, ch.ComplaintID, ch.UpdateID); err != nil {
				return err
			}
		}
		if err := grantCompensation(ctx, tx, ch); err != nil {
			return err
		}
		return db.insertEvents(ctx, tx, ch.Events)
	}))
}

// grantCompensation gives the points of the resolution that the step
// made, if it made one that compensates with points; they expire by the
// loyalty policy the complaint was filed under.
func grantCompensation(ctx context.Context, tx pgx.Tx, ch redress.Change) error {
	r := ch.State.Resolution
	if r == nil || r.Compensation == nil || r.Compensation.Points <= 0 ||
		!slices.ContainsFunc(ch.Events, func(e redress.Event) bool { return e.Type == redress.EventResolved }) {
		return nil
	}
	var doc []byte
	if err := tx.QueryRow(ctx, `SELECT policy FROM complaints WHERE id = $1`, ch.ComplaintID).Scan(&doc); err != nil {
		return err
	}
	var policy redress.Policy
	if len(doc) > 0 {
		if err := json.Unmarshal(doc, &policy); err != nil {
			return err
		}
	}
	var expires *time.Time
	if after := policy.Loyalty.PointsExpireAfter.D(); after > 0 && ch.State.ResolvedAt != nil {
		at := ch.State.ResolvedAt.Add(after)
		expires = &at
	}
	return grantPoints(ctx, tx, ch.ComplaintID, r.Compensation.Points, expires, redress.BySystem)
}

// insertTimeline writes a complaint's lines; the outcomes they imply are
// the caller's to write with the complaint's row.
func (db *DB) insertTimeline(ctx context.Context, tx pgx.Tx, complaintID string, firstSeq int, entries []redress.TimelineEntry) error {
	if len(entries) == 0 {
		return nil
	}
	k, err := db.complaintKey(ctx, tx, complaintID)
	if err != nil {
		return err
	}
	for i, e := range entries {
		seq := firstSeq + i
		if _, err := tx.Exec(ctx, `INSERT INTO timeline (complaint_id, seq, at, actor, made_by, kind, public, detail, breach)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
			complaintID, seq, e.At, e.Actor, e.By, e.Kind, e.Public, k.Seal(place("timeline.detail", complaintID, seq), e.Detail), breachOf(e)); err != nil {
			return err
		}
	}
	return nil
}

// outcomes are what a complaint's lines say about how it went, kept on the
// complaint for analytics.
type outcomes struct {
	ackBreached, resolveBreached, reopened bool
	firstResolved                          *time.Time
}

func outcomesOf(entries []redress.TimelineEntry) outcomes {
	var o outcomes
	for _, e := range entries {
		switch {
		case breachOf(e) == redress.BreachAcknowledgement:
			o.ackBreached = true
		case breachOf(e) == redress.BreachResolution:
			o.resolveBreached = true
		case e.Kind == redress.KindResolved && (o.firstResolved == nil || e.At.Before(*o.firstResolved)):
			at := e.At
			o.firstResolved = &at
		case e.Kind == redress.KindReopened:
			o.reopened = true
		}
	}
	return o
}

// set is the SET clause that adds the outcomes to a complaint's row, with
// its arguments numbered from first. Each outcome only ever turns on, and
// the first resolution only moves earlier, so a retried or late write
// leaves the same result.
func (o outcomes) set(first int) (string, []any) {
	return fmt.Sprintf(`ack_breached = ack_breached OR $%d, resolve_breached = resolve_breached OR $%d,
			first_resolved_at = least(first_resolved_at, $%d), reopened = reopened OR $%d`, first, first+1, first+2, first+3),
		[]any{o.ackBreached, o.resolveBreached, o.firstResolved, o.reopened}
}

// apply adds the outcomes to the complaint's row alone.
func (o outcomes) apply(ctx context.Context, tx pgx.Tx, complaintID string) error {
	if o == (outcomes{}) {
		return nil
	}
	set, args := o.set(2)
	_, err := tx.Exec(ctx, `UPDATE complaints SET `+set+` WHERE id = $1`, append([]any{complaintID}, args...)...)
	return err
}

// breachOf is the deadline a breach's line names. Workers from before the
// field named it only in the detail's words, which end with the reason;
// such a line can reach the store during a rolling upgrade.
func breachOf(e redress.TimelineEntry) string {
	if e.Kind != redress.KindSLABreached || e.Breach != "" {
		return e.Breach
	}
	for _, reason := range []string{redress.BreachAcknowledgement, redress.BreachResolution} {
		if strings.HasSuffix(e.Detail, reason) {
			return reason
		}
	}
	return ""
}

func (db *DB) insertEvents(ctx context.Context, tx pgx.Tx, events []redress.Event) error {
	for _, e := range events {
		data, err := db.sealEvent(ctx, tx, e)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO outbox (id, type, complaint_id, customer_id, occurred_at, data)
			VALUES ($1, $2, nullif($3, '')::uuid, nullif($4, '')::uuid, $5, $6) ON CONFLICT DO NOTHING`,
			e.ID, e.Type, e.ComplaintID, e.CustomerID, e.OccurredAt, data)
		if err != nil {
			return err
		}
		// The endpoints' deliveries are numbered as the events are
		// written: a complaint's steps are written one after another, so
		// each endpoint gets them in their order.
		if tag.RowsAffected() == 1 {
			if err := enqueueWebhookDeliveries(ctx, tx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// WorkflowStarted reports whether a complaint's workflow was ever started:
// a complaint gets one workflow in its life, and only while this is false.
func (db *DB) WorkflowStarted(ctx context.Context, id string) (bool, error) {
	var started bool
	err := db.pool.QueryRow(ctx, `SELECT workflow_started FROM complaints WHERE id = $1`, id).Scan(&started)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, redress.Errorf(redress.ENOTFOUND, "no complaint %q", id)
	}
	return started, wrap(err)
}

// MarkWorkflowStarted records that a complaint's workflow runs.
func (db *DB) MarkWorkflowStarted(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `UPDATE complaints SET workflow_started = true WHERE id = $1 AND NOT workflow_started`, id)
	return wrap(err)
}

// UnstartedComplaints returns complaints filed before the given time whose
// workflow is not known to run: an intake that crashed between its commit and
// the workflow's start.
func (db *DB) UnstartedComplaints(ctx context.Context, before time.Time, limit int) ([]redress.Complaint, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+complaintColumns+` FROM complaints
		WHERE NOT workflow_started AND created_at < $1 ORDER BY created_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var out []redress.Complaint
	for rows.Next() {
		c, err := db.scanComplaint(ctx, db.pool, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, wrap(rows.Err())
}
