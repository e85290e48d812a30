package tokens

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// A mail tag ties a reply address or a Message-ID to its complaint: the
// complaint's id and an HMAC of it, in lower case because mail systems may
// fold the case of addresses. Without the secret nobody can make the tag of
// another customer's complaint and post a reply on it.
var (
	mailTagPattern = regexp.MustCompile(`([0-9a-f]{32})\.([a-z2-7]{16})`)
	mailSigning    = base32.StdEncoding.WithPadding(base32.NoPadding)
)

func (s *Signer) mailTag(complaintID string) string {
	id, err := uuid.Parse(complaintID)
	if err != nil {
		return ""
	}
	compact := hex.EncodeToString(id[:])
	return compact + "." + s.mailSignature(compact)
}

func (s *Signer) mailSignature(compactID string) string {
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte("mail:" + compactID))
	return strings.ToLower(mailSigning.EncodeToString(mac.Sum(nil)[:10])) // 80 bits
}

// ReplyAddress is the address at which the customer's mail joins the
// complaint, as its reply.
func (s *Signer) ReplyAddress(complaintID, domain string) string {
	return "reply+" + s.mailTag(complaintID) + "@" + domain
}

// MessageID is the Message-ID of one mail about a complaint, without the
// angle brackets; a reply naming it in In-Reply-To or References joins the
// complaint. key tells the mails of one complaint apart.
func (s *Signer) MessageID(complaintID, key, domain string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:6]) + "." + s.mailTag(complaintID) + "@" + domain
}

// ComplaintOfMail finds the complaint that a reply address or Message-ID
// made by this signer names, and only a signed one.
func (s *Signer) ComplaintOfMail(text string) (string, bool) {
	for _, m := range mailTagPattern.FindAllStringSubmatch(strings.ToLower(text), -1) {
		if !hmac.Equal([]byte(m[2]), []byte(s.mailSignature(m[1]))) {
			continue
		}
		raw, _ := hex.DecodeString(m[1])
		id, err := uuid.FromBytes(raw)
		if err == nil {
			return id.String(), true
		}
	}
	return "", false
}
