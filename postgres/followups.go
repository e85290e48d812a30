package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/redress-dev/redress"
)

// followUpSeq numbers the timeline lines of recorded follow-ups, in a
// range of their own apart from the workflow's steps and the win-back's;
// a complaint reopened and resolved again gets a follow-up each time.
const followUpSeq = 300000

// RecordFollowUp records what came of a complaint's follow-up, once, with
// who recorded it; the note is sealed with the customer's key. A complaint
// without a follow-up, or one already recorded, is ECONFLICT. A new
// resolution's follow-up (another due time) clears the record, which the
// timeline keeps.
func (db *DB) RecordFollowUp(ctx context.Context, complaintID, outcome, note, actor, by string) error {
	uid, err := uuid.Parse(complaintID)
	if err != nil {
		return redress.Errorf(redress.ENOTFOUND, "no complaint %q", complaintID)
	}
	return wrap(pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var due, recorded *time.Time
		err := tx.QueryRow(ctx, `SELECT followup_due_at, followup_recorded_at FROM complaints WHERE id = $1 FOR UPDATE`, uid).
			Scan(&due, &recorded)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return redress.Errorf(redress.ENOTFOUND, "no complaint %q", complaintID)
		case err != nil:
			return err
		case due == nil:
			return redress.Errorf(redress.ECONFLICT, "this complaint has no follow-up: the policy's followup names neither its priority nor its customer's tier, or it is not resolved")
		case recorded != nil:
			return redress.Errorf(redress.ECONFLICT, "this complaint's follow-up was recorded on %s", recorded.UTC().Format(time.RFC3339))
		}
		k, err := db.complaintKey(ctx, tx, complaintID)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		if _, err := tx.Exec(ctx, `UPDATE complaints SET followup_outcome = $2, followup_note = $3,
			followup_recorded_at = $4, followup_recorded_by = $5 WHERE id = $1`,
			uid, outcome, k.Seal(place("complaints.followup_note", complaintID), note), now, by); err != nil {
			return err
		}
		detail := "Follow-up: " + outcome
		if note != "" {
			detail += ": " + note
		}
		var recordedBefore int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM timeline WHERE complaint_id = $1 AND seq >= $2 AND seq < $3`,
			uid, followUpSeq, followUpSeq+100000).Scan(&recordedBefore); err != nil {
			return err
		}
		return db.insertTimeline(ctx, tx, complaintID, followUpSeq+recordedBefore, []redress.TimelineEntry{{At: now, Actor: actor, By: by,
			Kind: redress.KindFollowUp, Public: redress.PublicKind(redress.KindFollowUp), Detail: detail}})
	}))
}

// FollowUpTask is a follow-up not yet recorded, for the account team's
// queue.
type FollowUpTask struct {
	ComplaintID string           `json:"complaint_id"`
	Subject     string           `json:"subject"`
	CustomerID  string           `json:"customer_id"`
	Priority    redress.Priority `json:"priority"`
	DueAt       time.Time        `json:"due_at"`
}

// OpenFollowUps are the follow-ups not yet recorded, the first due first.
func (db *DB) OpenFollowUps(ctx context.Context, limit int) ([]FollowUpTask, error) {
	rows, err := db.pool.Query(ctx, `SELECT id::text, subject, customer_id::text, priority, followup_due_at FROM complaints
		WHERE followup_due_at IS NOT NULL AND followup_recorded_at IS NULL ORDER BY followup_due_at, id LIMIT $1`, limit)
	if err != nil {
		return nil, wrap(err)
	}
	o := db.opener(ctx, db.pool)
	tasks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (FollowUpTask, error) {
		var t FollowUpTask
		err := row.Scan(&t.ComplaintID, &t.Subject, &t.CustomerID, &t.Priority, &t.DueAt)
		t.DueAt = t.DueAt.UTC()
		o.text(place("complaints.subject", t.ComplaintID), &t.Subject)
		return t, err
	})
	if err == nil {
		err = o.err
	}
	return tasks, wrap(err)
}

// FollowUpFigures are the follow-ups that fell due in a window: how many,
// how many the team recorded, and what came of them.
type FollowUpFigures struct {
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
	Due      int            `json:"due"`
	Recorded int            `json:"recorded"`
	Rate     *float64       `json:"followup_rate"` // recorded / due; null with none due
	Outcomes map[string]int `json:"outcomes"`
}

// FollowUpAnalytics counts the follow-ups due from from to to.
func (db *DB) FollowUpAnalytics(ctx context.Context, from, to time.Time) (FollowUpFigures, error) {
	out := FollowUpFigures{From: from, To: to, Outcomes: map[string]int{}}
	for _, o := range redress.FollowUpOutcomes {
		out.Outcomes[o] = 0
	}
	rows, err := db.pool.Query(ctx, `SELECT coalesce(followup_outcome, ''), count(*)::int FROM complaints
		WHERE followup_due_at >= $1 AND followup_due_at < $2 GROUP BY 1`, from, to)
	if err != nil {
		return out, wrap(err)
	}
	var outcome string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&outcome, &n}, func() error {
		out.Due += n
		if outcome != "" {
			out.Recorded += n
			out.Outcomes[outcome] += n
		}
		return nil
	})
	if out.Due > 0 {
		rate := float64(out.Recorded) / float64(out.Due)
		out.Rate = &rate
	}
	return out, wrap(err)
}
