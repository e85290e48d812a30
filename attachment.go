package redress

import "time"

// Who an attachment came from: the customer (a file they sent, through an
// intake system, the public form or e-mail) or staff.
const (
	AttachmentFromCustomer = "customer"
	AttachmentFromStaff    = "staff"
)

// AttachmentSenders lists who an attachment may come from.
var AttachmentSenders = []string{AttachmentFromCustomer, AttachmentFromStaff}

// Attachment is a file kept with a complaint: its bytes in the object
// store, these facts in PostgreSQL. The same file under the same name is
// kept once per complaint.
type Attachment struct {
	ID          string `json:"id"`
	ComplaintID string `json:"-"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"` // as sniffed from the bytes, never as the sender declared it
	Size        int64  `json:"size"`         // bytes
	SHA256      string `json:"sha256"`       // hex
	From        string `json:"from"`         // AttachmentFromCustomer or AttachmentFromStaff
	// Shared is set on a staff file sent to the customer with a reply.
	Shared  bool   `json:"shared_with_customer"`
	By      string `json:"-"` // the credential that added it (ByKey, ByUser, ...)
	BlobKey string `json:"-"` // where the object store keeps the bytes
	// KeyOwner is the customer whose data key encrypted the bytes ("" for
	// a file stored before encryption at rest).
	KeyOwner  string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// ShownToCustomer reports whether the complaint's customer may see and
// download the attachment: their own files, and staff files sent to them
// with a reply. Other staff files may be internal evidence.
func (a Attachment) ShownToCustomer() bool { return a.From == AttachmentFromCustomer || a.Shared }

// MaxReplyFiles is how many files one reply may carry.
const MaxReplyFiles = 10

// TakesAttachments reports whether a complaint in this status may be given
// more files: a closed or merged complaint takes none, as its workflow may
// be gone.
func (s Status) TakesAttachments() bool { return s != StatusClosed && s != StatusMerged }
