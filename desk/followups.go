package desk

import (
	"context"
	"slices"
	"strings"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
)

// followUpRecorders are the roles that record follow-ups: the account team.
var followUpRecorders = []string{config.RoleAgent, config.RoleSupervisor, config.RoleAdmin}

// RecordFollowUp records what came of a complaint's follow-up, and answers
// with the complaint.
func (d *Desk) RecordFollowUp(ctx context.Context, call Call, outcome, note string) (*redress.Complaint, error) {
	if !slices.Contains(followUpRecorders, call.Actor.Role) {
		return nil, redress.Errorf(redress.EFORBIDDEN, "the %s role may not record follow-ups; it needs one of: %s",
			call.Actor.Role, strings.Join(followUpRecorders, ", "))
	}
	ch := &redress.Checker{}
	redress.CheckEnum(ch, "outcome", outcome, true, redress.FollowUpOutcomes)
	ch.Text("note", note, false, redress.MaxMessage)
	if err := ch.Err(); err != nil {
		return nil, err
	}
	if err := d.db.RecordFollowUp(ctx, call.ComplaintID, outcome, note, call.Actor.Name, call.Actor.By); err != nil {
		return nil, err
	}
	return d.db.Complaint(ctx, call.ComplaintID)
}
