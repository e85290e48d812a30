package api

import (
	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
)

// An intake key belongs to an outside system (a CRM, a web shop, a call
// centre's tool): it files complaints and reads back only those it filed,
// as the customer's side sees them. Staff reads of everything need an
// agent's role or above.

// intakeCaller tells whether the caller's key is an intake system's.
func intakeCaller(key config.APIKey) bool { return key.Role == config.RoleIntake }

// filedByCaller tells whether an intake key may read the complaint: it
// filed it. Other roles read every complaint.
func filedByCaller(key config.APIKey, c *redress.Complaint) bool {
	return !intakeCaller(key) || c.FiledBy == key.Name
}

// filerView is a complaint as the system that filed it reads it, with what
// its customer may read: no internal line (notes, escalation reasons, root
// causes), no staff's words or names, no assignee, no staff-only file, no
// root cause in the resolution.
func filerView(c *redress.Complaint) *redress.Complaint {
	v := *c
	v.Assignee = ""
	v.FollowUp, v.FollowUpDueAt = nil, nil // the account team's
	v.Timeline = make([]redress.TimelineEntry, 0, len(c.Timeline))
	for _, e := range c.Timeline {
		if e.Public && redress.PublicKind(e.Kind) {
			e.Actor, e.By = "", ""
			if !redress.CustomerReadsDetail(e.Kind) {
				e.Detail = "" // staff's words: who acknowledged, the priority given
			}
			v.Timeline = append(v.Timeline, e)
		}
	}
	if c.Attachments != nil {
		v.Attachments = []redress.Attachment{}
		for _, a := range c.Attachments {
			if a.ShownToCustomer() {
				v.Attachments = append(v.Attachments, a)
			}
		}
	}
	if r := c.Resolution; r != nil {
		settled := *r
		settled.RootCause = ""
		v.Resolution = &settled
	}
	return &v
}
