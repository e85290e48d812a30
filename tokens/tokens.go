// Package tokens derives the customers' one-time links: the tracking token
// of a complaint and the token of each survey round. Tokens are HMACs of the
// complaint's id under the server's secret, so a retry can hand out the same
// token again while the database keeps only hashes.
package tokens

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
)

// Signer makes tokens and the links that carry them.
type Signer struct {
	secret    []byte
	publicURL string
}

// NewSigner builds a signer; publicURL is the base of the links.
func NewSigner(secret, publicURL string) *Signer {
	return &Signer{secret: []byte(secret), publicURL: strings.TrimRight(publicURL, "/")}
}

func (s *Signer) sign(purpose string) string {
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(purpose))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) // 256 bits, URL-safe
}

// Tracking is the token of a complaint's tracking page.
func (s *Signer) Tracking(complaintID string) string { return s.sign("tracking:" + complaintID) }

// Survey is the token of one survey round of a complaint: a reopened and
// closed-again complaint gets a new survey with a new token.
func (s *Signer) Survey(complaintID string, round int) string {
	return s.sign("survey:" + complaintID + ":" + strconv.Itoa(round))
}

// Portal is the token of a portal sign-in link, named by the link's id:
// the outbox keeps the id, and only the secret turns it into the link.
func (s *Signer) Portal(linkID string) string { return s.sign("portal:" + linkID) }

// PortalURL is the customer's one-time link into the portal, in a language.
func (s *Signer) PortalURL(token, lang string) string {
	return s.publicURL + "/my/sign-in/" + token + "?lang=" + url.QueryEscape(lang)
}

// TrackingURL is the customer's link to the tracking page.
func (s *Signer) TrackingURL(token string) string { return s.publicURL + "/track/" + token }

// PageURL is the public address of one of Redress's pages.
func (s *Signer) PageURL(path string) string { return s.publicURL + path }

// SurveyURL is the customer's link to the survey page.
func (s *Signer) SurveyURL(token string) string { return s.publicURL + "/survey/" + token }

// Hash is what the database stores of a token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
