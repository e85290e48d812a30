package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries the webhook's signature: t=<unix seconds>,v1=<hex>.
const SignatureHeader = "Redress-Signature"

// webhookTimeout bounds one POST to the integrator, its answer included.
// Receivers are asked to answer at once and work afterwards; ten seconds
// allows a slow network or a cold start, and a slower receiver is retried
// with backoff instead of holding up the events behind it.
const webhookTimeout = 10 * time.Second

// checkEnvironmentURL holds REDRESS_WEBHOOK_URL to its rule: events carry
// customers' words and links, so https, unless it is on this machine (a
// test receiver, a local relay). The operator chose it, so unlike an
// endpoint added over the API it may be on the operator's own network.
func checkEnvironmentURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
		return fmt.Errorf("REDRESS_WEBHOOK_URL: want an https:// URL (http:// only on this machine), not %q", rawURL)
	}
	return nil
}

// Sign makes the signature header's value for a body sent at t.
func Sign(secret string, t time.Time, body []byte) string { return SignAll([]string{secret}, t, body) }

// SignAll signs with every secret: during a rotation's overlap the header
// carries a v1 for the new secret and one for the old, and a receiver that
// knows either verifies.
func SignAll(secrets []string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	header := "t=" + ts
	for _, s := range secrets {
		header += ",v1=" + mac(s, ts, body)
	}
	return header
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header as a receiver should: the MAC over the
// timestamp and body, and a timestamp within tolerance of now (replays of
// old deliveries are refused).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("malformed %s header", SignatureHeader)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("signature timestamp is %s away from now", d.Round(time.Second))
	}
	want := []byte(mac(secret, ts, body))
	for _, sig := range sigs {
		if hmac.Equal([]byte(sig), want) {
			return nil
		}
	}
	return fmt.Errorf("signature does not match")
}
