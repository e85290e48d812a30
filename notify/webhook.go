package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redress-dev/redress"
)

// SignatureHeader carries the webhook's signature: t=<unix seconds>,v1=<hex>.
const SignatureHeader = "Redress-Signature"

// webhookTimeout bounds one POST to the integrator, its answer included.
// Receivers are asked to answer at once and work afterwards; ten seconds
// allows a slow network or a cold start, and a slower receiver is retried
// with backoff instead of holding up the events behind it.
const webhookTimeout = 10 * time.Second

// Webhook posts events to an integrator's URL, signed with HMAC-SHA256 over
// "timestamp.body" so the receiver can check both origin and freshness.
type Webhook struct {
	url    string
	secret string
	client *http.Client
}

// NewWebhook posts to url, signing with secret, each POST within
// webhookTimeout. Events carry customers' words and links, so the URL must
// be https, unless it is on this machine (a test receiver, a local
// relay); and no redirect is followed, since it could lead the events
// anywhere.
func NewWebhook(rawURL, secret string) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
		return nil, fmt.Errorf("REDRESS_WEBHOOK_URL: want an https:// URL (http:// only on this machine), not %q", rawURL)
	}
	client := &http.Client{Timeout: webhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Webhook{url: rawURL, secret: secret, client: client}, nil
}

// Send posts one event, as SPEC section 7 lays it out; any answer but 2xx
// is a failure to retry.
func (w *Webhook) Send(ctx context.Context, e redress.Event) error {
	if e.Data == nil {
		e.Data = map[string]any{} // an object, never null, for receivers
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Redress-Webhook/1")
	req.Header.Set(SignatureHeader, Sign(w.secret, time.Now(), body))
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 3 {
		return fmt.Errorf("webhook answered %s; redirects are not followed", resp.Status)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
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
