package selfservice

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// The form's challenge keeps scripts that post complaints by the thousand
// out without a third-party CAPTCHA. A browser with JavaScript pays a
// proof of work (a nonce whose SHA-256 with the challenge starts with
// powBits zero bits, a fraction of a second); one without answers a sum
// the page asks. The challenge is signed, so no state is kept until the
// form is sent, and it is the form's idempotency key: sending one form
// twice files one complaint.
const (
	powBits         = 16
	challengeMaxAge = 2 * time.Hour
)

type challenge struct {
	Token string // what the page carries: issued.nonce.a.b.signature
	A, B  int    // the sum asked when there is no JavaScript
}

func (s *Service) sign(body string) string {
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte("form-challenge:" + body))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

func (s *Service) newChallenge(now time.Time) challenge {
	var r [10]byte
	_, _ = rand.Read(r[:]) // crypto/rand does not fail
	a, b := 2+int(r[8]%8), 1+int(r[9]%9)
	body := fmt.Sprintf("%d.%s.%d.%d", now.Unix(), hex.EncodeToString(r[:8]), a, b)
	return challenge{Token: body + "." + s.sign(body), A: a, B: b}
}

// errChallenge is a form whose challenge is missing, forged, stale or not
// met; the form is shown again with a fresh one.
type errChallenge string

func (e errChallenge) Error() string { return string(e) }

// checkChallenge accepts a signed, fresh challenge met by the proof of work
// or by the sum.
func (s *Service) checkChallenge(token, pow, sum string, now time.Time) error {
	parts := strings.Split(token, ".")
	if len(parts) != 5 || !hmac.Equal([]byte(parts[4]), []byte(s.sign(strings.Join(parts[:4], ".")))) {
		return errChallenge("forged")
	}
	issued, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || now.Sub(time.Unix(issued, 0)) > challengeMaxAge {
		return errChallenge("stale")
	}
	if pow != "" && leadingZeroBits(sha256.Sum256([]byte(token+":"+pow))) >= powBits {
		return nil
	}
	a, _ := strconv.Atoi(parts[2])
	b, _ := strconv.Atoi(parts[3])
	if n, err := strconv.Atoi(strings.TrimSpace(sum)); err == nil && n == a+b {
		return nil
	}
	return errChallenge("not met")
}

func leadingZeroBits(h [32]byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}
