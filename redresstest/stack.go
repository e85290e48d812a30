package redresstest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/crypt"
	"github.com/redress-dev/redress/devstack"
	"github.com/redress-dev/redress/tokens"
)

// Stack is the whole service running for a test: PostgreSQL, the embedded
// Temporal server, the worker and the API, as `redress dev` runs them.
type Stack struct {
	*devstack.Stack
	t       testing.TB
	BaseURL string
	// Mailbox holds the customers' mail of a stack started with Mail.
	Mailbox *Mailbox
}

// StackOptions shape a test stack.
type StackOptions struct {
	Policy  string // YAML over the defaults
	DataDir string // reuse to restart a stack; a fresh one when empty
	// DatabaseURL and TemporalAddress reuse another stack's database and
	// server address, for restart tests.
	DatabaseURL     string
	TemporalAddress string
	// ServerSettings override the embedded Temporal server's dynamic
	// configuration, to reach an engine limit quickly.
	ServerSettings map[string]any
	// RateLimits are the API's rate limits: all off when nil, since tests
	// call faster than any real caller; config.DefaultRateLimits() are the
	// service's own.
	RateLimits *config.RateLimits
	// WebUI serves the Temporal Web UI too, with the API and the UI both on
	// localhost (BaseURL and UIURL), one site as in the dev stack.
	WebUI bool
	// TemporalShards, when set, persists the Temporal server in PostgreSQL
	// with that many history shards, as the production shape does;
	// InfraOnly then starts no worker and no API, for processes of their
	// own (`redress dev --only infra`).
	TemporalShards int
	InfraOnly      bool
	// WebhookURL and WebhookSecret are REDRESS_WEBHOOK_URL and its secret.
	WebhookURL, WebhookSecret string
	// Mail opens the inbound mail listener (MailAddr, for InboundDomain)
	// and sends the stack's outgoing mail to a Mailbox (Stack.Mailbox).
	Mail bool
}

// InboundDomain is the mail domain of test stacks with Mail.
const InboundDomain = "redress.test"

// StartStack starts a stack and stops it when the test ends.
func StartStack(t testing.TB, o StackOptions) *Stack {
	t.Helper()
	policy, err := redress.ParsePolicy([]byte(o.Policy))
	if err != nil {
		t.Fatal(err)
	}
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	if o.DatabaseURL == "" {
		o.DatabaseURL = NewDatabaseURL(t)
	}
	if o.TemporalAddress == "" {
		o.TemporalAddress = freePortBlock(t)
	}
	limits := config.RateLimits{} // every limit off
	if o.RateLimits != nil {
		limits = *o.RateLimits
	}
	cfg := &config.Config{
		DatabaseURL: o.DatabaseURL, TemporalAddress: o.TemporalAddress, TemporalNamespace: "default",
		HTTPAddr: "127.0.0.1:0", DataDir: o.DataDir, PublicURL: "http://redress.test",
		TokenSecret: "test-secret-0123456789", Policy: policy, Keys: config.DevKeys(),
		PayloadKeys: PayloadKey, DataKeys: DataKey, CodecOrigins: CodecOrigin, Retention: config.DefaultRetention, RateLimits: limits,
	}
	cfg.WebhookURL, cfg.WebhookSecret = o.WebhookURL, o.WebhookSecret
	if o.TemporalShards > 0 {
		cfg.TemporalStore, cfg.TemporalShards = "postgres", o.TemporalShards
	}
	if o.InfraOnly {
		cfg.Only = "infra"
	}
	var box *Mailbox
	if o.Mail {
		box = StartMailbox(t)
		cfg.SMTPURL = "smtp://" + box.Addr + "?from=care@" + InboundDomain
		cfg.InboundSMTPAddr, cfg.InboundDomain = "127.0.0.1:0", InboundDomain
	}
	if o.WebUI {
		apiPort, uiPort := freePort(t), freePort(t)
		cfg.HTTPAddr = "127.0.0.1:" + strconv.Itoa(apiPort)
		cfg.PublicURL = "http://localhost:" + strconv.Itoa(apiPort)
		cfg.UIPort = uiPort
		cfg.CodecOrigins = "http://localhost:" + strconv.Itoa(uiPort)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("REDRESS_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var options []devstack.Option
	for key, value := range o.ServerSettings {
		options = append(options, devstack.WithServerSetting(key, value))
	}
	described := checkAgainstTheDescription(t)
	options = append(options, devstack.WithObserver(described.Middleware))
	s, err := devstack.Start(ctx, cfg, logger, options...)
	if err != nil {
		t.Fatalf("start the stack: %v", err)
	}
	st := &Stack{Stack: s, t: t, BaseURL: "http://" + s.APIAddr, Mailbox: box}
	if o.InfraOnly {
		st.BaseURL = ""
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// PayloadKey encrypts the test stacks' payloads, DataKey wraps their
// customers' data keys; CodecOrigin is the Web UI origin their codec
// endpoint trusts.
const (
	PayloadKey  = "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	DataKey     = "test-kek:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	CodecOrigin = "http://ui.redress.test"
)

// Keyring is the test stacks' REDRESS_DATA_KEYS.
func Keyring(tb testing.TB) *crypt.Keyring {
	keys, err := crypt.ParseKeys("REDRESS_DATA_KEYS", DataKey)
	if err != nil {
		tb.Fatal(err)
	}
	ring, err := crypt.NewKeyring(keys...)
	if err != nil {
		tb.Fatal(err)
	}
	return ring
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freePortBlock finds a loopback port with the seven after it free, for the
// Temporal frontend and its sibling services; below 32768, as Temporal's
// membership table on PostgreSQL keeps ports in a smallint.
func freePortBlock(t testing.TB) string {
	for range 100 {
		base := 20000 + rand.IntN(12700)
		free := true
		for p := base; p < base+8 && free; p++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return "127.0.0.1:" + strconv.Itoa(base)
		}
	}
	t.Fatal("no free block of 8 ports")
	return ""
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("answer %d is not JSON: %v: %s", r.Status, err, r.Body)
	}
}

// Do sends a request with a staff key (none when key is empty). body is
// sent as is when it is a string or []byte, else as JSON.
func (s *Stack) Do(method, path, key string, body any, headers ...string) *Response {
	s.t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = bytes.NewBufferString(b)
	case []byte:
		reader = bytes.NewReader(b)
	default:
		encoded, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		reader = bytes.NewReader(encoded)
	}
	req, err := http.NewRequest(method, s.BaseURL+path, reader)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// Complaint reads a complaint over the API.
func (s *Stack) Complaint(id string) *redress.Complaint {
	s.t.Helper()
	r := s.Do("GET", "/v1/complaints/"+id, "dev-agent", nil)
	if r.Status != http.StatusOK {
		s.t.Fatalf("GET complaint %s: %d %s", id, r.Status, r.Body)
	}
	var c redress.Complaint
	r.JSON(s.t, &c)
	return &c
}

// WaitFor polls a complaint until cond holds or the timeout passes.
func (s *Stack) WaitFor(id string, timeout time.Duration, what string, cond func(*redress.Complaint) bool) *redress.Complaint {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c := s.Complaint(id)
		if cond(c) {
			return c
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("complaint %s: %s did not happen within %s; it is %s", id, what, timeout, describe(c))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func describe(c *redress.Complaint) string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Links derives the customers' links as the stack's dispatcher does: from
// the token secret, which the outbox never holds them under.
func (s *Stack) Links() *tokens.Signer {
	return tokens.NewSigner(s.Config.TokenSecret, s.Config.PublicURL)
}
