package desk

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/workflows"
)

// mergedLines bounds the lines a duplicate hands the kept complaint, and
// mergedLineLength each line, so that the step stays far below Temporal's
// payload limit whatever the duplicate's history.
const (
	mergedLines      = 100
	mergedLineLength = 2 * redress.MaxMessage
)

// Merge ends the call's complaint, a duplicate, in the complaint into of
// the same customer: the kept complaint takes the duplicate's description,
// messages and files as lines that name their origin, its clocks
// unchanged; then the duplicate ends as merged, with no survey, and its
// customer is told to follow the kept complaint. The merge is recorded
// first (RecordMerge), so that merges crossing each other cannot both go
// through; both steps are keyed by the pair, so a retry finishes a merge
// cut off midway and applies nothing twice.
func (d *Desk) Merge(ctx context.Context, call Call, into string) (*redress.Complaint, error) {
	if !MayTake(call.Actor.Role, redress.ActionMerge) {
		return nil, redress.Errorf(redress.EFORBIDDEN, "the %s role may not merge complaints; it needs one of: %s",
			call.Actor.Role, strings.Join(actionRoles[redress.ActionMerge], ", "))
	}
	ch := &redress.Checker{}
	ch.Text("into", into, true, 100)
	if err := ch.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*ActionTimeout)
	defer cancel()
	duplicate, err := d.db.Complaint(ctx, call.ComplaintID)
	if err != nil {
		return nil, err
	}
	if _, err := d.db.Complaint(ctx, into); redress.ErrorCode(err) == redress.ENOTFOUND {
		return nil, redress.Invalid(redress.FieldError{Field: "into", Message: "names no complaint"})
	} else if err != nil {
		return nil, err
	}
	if err := d.db.RecordMerge(ctx, duplicate.ID, into, call.Actor.By); err != nil {
		return nil, err
	}
	pair := duplicate.ID + ">" + into
	absorb := workflows.AbsorbInput{Actor: call.Actor.Name, From: duplicate.ID, Lines: storyOf(duplicate), Attribution: call.attribution()}
	if err := d.updateKeyed(ctx, into, workflows.KeyedUpdateID(workflows.AbsorbUpdate, "merge", pair), workflows.AbsorbUpdate, absorb, nil); err != nil {
		return nil, err
	}
	end := workflows.MergeIntoInput{Actor: call.Actor.Name, Into: into, Attribution: call.attribution()}
	if err := d.updateKeyed(ctx, duplicate.ID, workflows.KeyedUpdateID(workflows.MergeIntoUpdate, "merge", pair), workflows.MergeIntoUpdate, end, nil); err != nil {
		return nil, err
	}
	return d.db.Complaint(ctx, duplicate.ID)
}

// storyOf is what a duplicate hands the complaint kept: its description,
// then its lines in the customer's and staff's own words and its files,
// each naming the duplicate and what it was; what the customer never saw
// stays internal.
func storyOf(c *redress.Complaint) []workflows.AbsorbedLine {
	origin := "From complaint " + c.ID
	lines := []workflows.AbsorbedLine{{Kind: redress.KindMergedMessage,
		Detail: clip(fmt.Sprintf("%s, filed %s through %s: %s\n%s", origin, c.CreatedAt.Format("2006-01-02 15:04 MST"), c.Channel, c.Subject, c.Description))}}
	for _, e := range c.Timeline {
		switch e.Kind {
		case redress.KindCustomerReply, redress.KindUpdate, redress.KindNote, redress.KindAttachment, redress.KindReopened,
			redress.KindMergedMessage, redress.KindMergedNote:
		default:
			continue
		}
		kind := redress.KindMergedNote
		if redress.PublicKind(e.Kind) {
			kind = redress.KindMergedMessage
		}
		lines = append(lines, workflows.AbsorbedLine{Kind: kind,
			Detail: clip(fmt.Sprintf("%s (%s by %s, %s): %s", origin, e.Kind, e.Actor, e.At.Format("2006-01-02 15:04 MST"), e.Detail))})
		if len(lines) == mergedLines {
			break
		}
	}
	return lines
}

// clip shortens a line to mergedLineLength characters.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= mergedLineLength {
		return s
	}
	return string([]rune(s)[:mergedLineLength-1]) + "…"
}
