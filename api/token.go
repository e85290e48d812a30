package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// trackingToken is the customer's key to one complaint. It is derived from
// the complaint id with the server's secret, so that an intake retry under
// the same Idempotency-Key can answer with the same token while the
// database keeps only its hash. 256 bits, URL-safe.
func (s *Server) trackingToken(complaintID string) string {
	mac := hmac.New(sha256.New, s.tokenSecret)
	mac.Write([]byte("tracking:" + complaintID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// tokenHash is what the database stores of a token.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func (s *Server) trackingURL(token string) string { return s.publicURL + "/track/" + token }
