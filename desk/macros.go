package desk

import (
	"context"
	"time"

	"github.com/redress-dev/redress"
)

// FilledMacro is a canned reply filled in for one complaint, in its
// customer's language (else English).
type FilledMacro struct {
	MacroID  string `json:"macro_id"`
	Name     string `json:"name"`
	Language string `json:"language"`
	Text     string `json:"text"`
}

// FillMacro fills the canned reply for the complaint, as the agent named:
// link is the complaint's tracking link, zone the policy's, in which due
// times are written.
func (d *Desk) FillMacro(ctx context.Context, complaintID, macroID, agent string, link func(complaintID string) string,
	zone *time.Location) (FilledMacro, error) {
	m, err := d.db.Macro(ctx, macroID)
	if err != nil {
		return FilledMacro{}, err
	}
	c, err := d.db.Complaint(ctx, complaintID)
	if err != nil {
		return FilledMacro{}, err
	}
	cu, err := d.db.Customer(ctx, c.CustomerID)
	if err != nil {
		return FilledMacro{}, err
	}
	text, lang, err := m.Render(cu.Language, redress.FillMacroFields(c, cu, link(c.ID), agent, zone))
	if err != nil {
		return FilledMacro{}, err
	}
	return FilledMacro{MacroID: m.ID, Name: m.Name, Language: lang, Text: text}, nil
}
