package attachments

import (
	"context"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/workflows"
)

// record writes the attachment's line on the complaint's timeline through
// its workflow, as every other line is written, then notes that it did.
// The Update is named by the attachment, so a retry is applied once; it
// waits as long as a staff action does, then is EUNAVAILABLE.
func (s *Store) record(ctx context.Context, u Upload, a redress.Attachment) error {
	ctx, cancel := context.WithTimeout(ctx, desk.ActionTimeout)
	defer cancel()
	err := s.desk.Update(ctx, a.ComplaintID, "attachment:"+a.ID, workflows.AttachmentUpdate, workflows.AttachmentInput{
		Actor: u.Actor, AttachmentID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
		Attribution: workflows.Attribution{By: u.By}})
	if err != nil {
		return err
	}
	return s.db.MarkAttachmentOnTimeline(ctx, a.ID)
}
