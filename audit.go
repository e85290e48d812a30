package redress

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"time"
)

// AuditLine is one line of the audit log: who did what to what, when.
type AuditLine struct {
	Seq    int64          `json:"seq"`
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor"`  // the credential: key:<name>, user:<e-mail>, customer, system
	Action string         `json:"action"` // one of the Audit* actions
	Target string         `json:"target"` // complaint:<id>, customer:<id>, user:<e-mail>, ...
	Detail map[string]any `json:"detail"`
}

// The audited actions.
const (
	AuditSignIn          = "sign_in"          // console, codec, portal; detail: where, ok
	AuditReadComplaint   = "read_complaint"   // a staff read of a complaint's personal data
	AuditReadComplaints  = "read_complaints"  // a list or queue of complaints; detail: where, count
	AuditReadCustomer    = "read_customer"    // a staff read of a customer's record
	AuditDecode          = "decode_payloads"  // the codec endpoint decoded payloads; detail: payloads
	AuditExport          = "export_customer"  // everything held about a customer, exported
	AuditErase           = "erase_customer"   // a customer's personal data erased; detail: reason, phase
	AuditMergeComplaints = "merge_complaints" // detail: into
	AuditMergeCustomers  = "merge_customers"  // detail: into
	AuditEditCustomer    = "edit_customer"    // detail: the fields changed
	AuditUserChange      = "user_change"      // a console user added, disabled; detail: what
	AuditKeyChange       = "key_change"       // the API keys or the data keys changed; detail: what
	AuditWebhookChange   = "webhook_change"   // a webhook endpoint added, changed, rotated, removed; detail: what
	AuditWebhookDisabled = "webhook_disabled" // an endpoint disabled after a day of failures; detail: url, failing_since
)

// AuditHash is the hash of a line chained to the hash of the line before:
// SHA-256 over the previous hash, the sequence number, the time to the
// microsecond and the line's fields as JSON, so that changing any of them,
// or removing a line, breaks the chain from there on.
func AuditHash(prev []byte, l AuditLine) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(l.Seq))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(l.At.UTC().UnixMicro()))
	h.Write(n[:])
	fields, _ := json.Marshal([]any{l.Actor, l.Action, l.Target, l.Detail}) // plain data: it cannot fail; map keys sorted
	h.Write(fields)
	return h.Sum(nil)
}
