// Package config loads the service's configuration from flags and the
// environment (SPEC section 6), with explicit defaults.
package config

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/codec"
	"github.com/redress-dev/redress/crypt"
	"github.com/redress-dev/redress/notify"
)

// Config is every setting of every subcommand.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	HTTPAddr          string
	MetricsAddr       string // the worker's /metrics; the API serves its own on HTTPAddr
	PolicyFile        string
	PoliciesDir       string // the published policies' Markdown; the dev stack's examples when empty there
	DataDir           string
	BlobURL           string // the object store of attachments; AttachmentStore reads it
	PublicURL         string
	UIPort            int
	APIKeys           string // "name:role:secret,..."
	TokenSecret       string // signs customers' tracking links
	PayloadKeys       string // encrypt payloads in Temporal
	DataKeys          string // wrap the customers' data keys (personal data at rest)
	CodecOrigins      string // Web UI origins the codec endpoint trusts
	DevPassword       string // the dev stack's staff accounts' password
	// Chosen tells whether a setting was given by its flag or its variable
	// rather than left to its default; nil reads as not given.
	Chosen          func(flag, variable string) bool
	Retention       time.Duration // how long Temporal keeps closed complaint workflows
	retention       string
	SMTPURL         string
	InboundSMTPAddr string // the inbound mail listener; off when empty (the dev stack's default is 127.0.0.1:2525)
	InboundDomain   string // the domain whose complaints@ and reply addresses the listener takes
	RateMail        string
	RateForm        string
	WebhookURL      string
	WebhookSecret   string
	// WebhookAllowPrivate lets endpoints managed over the API be on
	// loopback and private addresses, over http; the dev stack's default.
	WebhookAllowPrivate bool
	RateIntake          string // rate limits, as ParseRate reads them
	RateCustomer        string
	RateTokenMisses     string
	RateAnalytics       string
	TrustedProxies      string        // proxies whose X-Forwarded-For names the client
	TemporalUIURL       string        // the Temporal Web UI the console links each complaint to
	SessionIdle         time.Duration // the console signs a person out after this long without a request
	sessionIdle         string
	// The dev stack's Temporal server: "sqlite" (one file, one shard) or
	// "postgres" (databases beside Redress's, TemporalShards history
	// shards), and Only "infra" to start no worker and no API.
	TemporalStore  string
	TemporalShards int
	temporalShards string
	// WorkflowCache is how many complaint workflows a worker keeps in
	// memory between their tasks.
	WorkflowCache int
	workflowCache string
	// ProfileAddr serves Go's runtime profiles when set.
	ProfileAddr string
	Only        string

	Policy     redress.Policy
	Keys       []APIKey
	RateLimits RateLimits
	Proxies    []*net.IPNet
}

// APIKey is one staff credential.
type APIKey struct {
	Name   string
	Role   string
	Secret string
}

// Roles of staff keys.
const (
	RoleIntake     = "intake"
	RoleAgent      = "agent"
	RoleSupervisor = "supervisor"
	RoleAdmin      = "admin"
)

// Flags registers the settings on a flag set, with defaults from the
// environment, and returns the config they fill.
func Flags(fs *flag.FlagSet) *Config {
	c := &Config{}
	fs.StringVar(&c.DatabaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL connection string; the dev stack starts its own cluster when empty (DATABASE_URL)")
	fs.StringVar(&c.TemporalAddress, "temporal-address", env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), "Temporal frontend host:port (TEMPORAL_ADDRESS)")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", env("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.HTTPAddr, "http-addr", env("REDRESS_HTTP_ADDR", ":8080"), "address of the HTTP API (REDRESS_HTTP_ADDR)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("REDRESS_METRICS_ADDR", ":9464"), "address of the worker's Prometheus /metrics; the API and the dev stack serve /metrics on the HTTP address (REDRESS_METRICS_ADDR)")
	fs.StringVar(&c.PolicyFile, "policy", os.Getenv("REDRESS_POLICY"), "policy YAML file (SPEC section 3, docs/policy.md); the built-in defaults when empty; a bad file stops start-up naming the field (REDRESS_POLICY)")
	fs.StringVar(&c.DataDir, "data-dir", env("REDRESS_DATA_DIR", ".redress"), "where the dev stack keeps PostgreSQL and Temporal data (REDRESS_DATA_DIR)")
	fs.StringVar(&c.BlobURL, "blob-url", os.Getenv("REDRESS_BLOB_URL"), "object store of complaints' attachments, file:///dir or s3://bucket?region=...; the folder attachments under the data dir when empty (REDRESS_BLOB_URL)")
	fs.StringVar(&c.PoliciesDir, "policies-dir", os.Getenv("REDRESS_POLICIES_DIR"), "folder of the published policies, <language>/<name>.md (refund, return, warranty, complaint-handling); none when empty, the examples in the dev stack (REDRESS_POLICIES_DIR)")
	fs.StringVar(&c.PublicURL, "public-url", env("REDRESS_PUBLIC_URL", "http://localhost:8080"), "base of the links sent to customers (REDRESS_PUBLIC_URL)")
	fs.IntVar(&c.UIPort, "ui-port", 8233, "port of the Temporal Web UI in the dev stack")
	fs.StringVar(&c.APIKeys, "api-keys", os.Getenv("REDRESS_API_KEYS"), "staff API keys as name:role:secret,...; roles intake, agent, supervisor, admin; secrets of 24 characters or more (openssl rand -base64 24); the dev stack makes four dev-* keys (REDRESS_API_KEYS)")
	fs.StringVar(&c.PayloadKeys, "payload-keys", os.Getenv("REDRESS_PAYLOAD_KEYS"), "keys that encrypt Temporal payloads, [id:]base64 of 32 bytes,...; the first encrypts, all decrypt, so rotate by putting a new key first; the API and the worker share them (REDRESS_PAYLOAD_KEYS)")
	fs.StringVar(&c.DataKeys, "data-keys", os.Getenv("REDRESS_DATA_KEYS"), "key-encryption keys that wrap each customer's data key, [id:]base64 of 32 bytes,...; the first wraps, all unwrap; rotate by putting a new key first and restarting the workers, which re-wrap every data key; keep them apart from the database's backups (REDRESS_DATA_KEYS)")
	fs.StringVar(&c.CodecOrigins, "codec-origins", os.Getenv("REDRESS_CODEC_ORIGINS"), "Web UI origins allowed to decode payloads through /codec (REDRESS_CODEC_ORIGINS)")
	fs.StringVar(&c.SMTPURL, "smtp-url", os.Getenv("REDRESS_SMTP_URL"), "SMTP server for customer e-mail, smtp://[user:password@]host:port?from=address (REDRESS_SMTP_URL)")
	fs.StringVar(&c.InboundSMTPAddr, "inbound-smtp-addr", os.Getenv("REDRESS_INBOUND_SMTP_ADDR"), "address of the SMTP listener that takes customers' mail; off when empty in redress api, 127.0.0.1:2525 in the dev stack (REDRESS_INBOUND_SMTP_ADDR)")
	fs.StringVar(&c.InboundDomain, "inbound-domain", os.Getenv("REDRESS_INBOUND_DOMAIN"), "mail domain of complaints@ and the complaints' reply addresses; needed with the listener, redress.localhost in the dev stack (REDRESS_INBOUND_DOMAIN)")
	fs.StringVar(&c.RateMail, "rate-mail", env("REDRESS_RATE_MAIL", DefaultRateMail), "rate limit per sender address on inbound mail, over which the sender is asked to retry later; 0 is none (REDRESS_RATE_MAIL)")
	fs.StringVar(&c.RateForm, "rate-form", env("REDRESS_RATE_FORM", DefaultRateForm), "rate limit per address on complaints filed through the public form /complain; 0 is none (REDRESS_RATE_FORM)")
	fs.StringVar(&c.WebhookURL, "webhook-url", os.Getenv("REDRESS_WEBHOOK_URL"), "URL of a webhook endpoint that gets every event, signed, in order per complaint: listed first in GET /v1/webhooks, disabled after a day of failures until an admin enables it; https, or http on the same machine; no redirect is followed (REDRESS_WEBHOOK_URL)")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", os.Getenv("REDRESS_WEBHOOK_ALLOW_PRIVATE") == "true",
		"let webhook endpoints managed over the API (POST /v1/webhooks) be http:// and on loopback or private addresses; the dev stack allows them (REDRESS_WEBHOOK_ALLOW_PRIVATE)")
	fs.StringVar(&c.WebhookSecret, "webhook-secret", os.Getenv("REDRESS_WEBHOOK_SECRET"), "secret that signs REDRESS_WEBHOOK_URL's events; when it changes, the former one signs beside it for a day (REDRESS_WEBHOOK_SECRET)")
	fs.StringVar(&c.DevPassword, "dev-password", env("REDRESS_DEV_PASSWORD", "redress"),
		"password of the dev stack's staff accounts agent@, supervisor@ and admin@example.com (REDRESS_DEV_PASSWORD)")
	fs.StringVar(&c.retention, "retention", env("REDRESS_RETENTION", DefaultRetention.String()),
		"how long Temporal keeps a closed complaint's workflow and history, at least 24h; PostgreSQL keeps the complaint for good (REDRESS_RETENTION)")
	fs.StringVar(&c.TokenSecret, "token-secret", os.Getenv("REDRESS_TOKEN_SECRET"), "secret that derives customers' tracking, survey and portal links and signs codec sessions, 32 characters or more; the API and the worker share it (REDRESS_TOKEN_SECRET)")
	fs.StringVar(&c.RateIntake, "rate-intake", env("REDRESS_RATE_INTAKE", DefaultRateIntake), "rate limit per API key or address on filing complaints, customers and purchases, like \"20/s burst 40\"; 0 is none (REDRESS_RATE_INTAKE)")
	fs.StringVar(&c.RateCustomer, "rate-customer", env("REDRESS_RATE_CUSTOMER", DefaultRateCustomer), "rate limit per address on the customers' token endpoints and pages; 0 is none (REDRESS_RATE_CUSTOMER)")
	fs.StringVar(&c.RateTokenMisses, "rate-token-misses", env("REDRESS_RATE_TOKEN_MISSES", DefaultRateTokenMisses), "rate limit per address on unknown customer links (404); 0 is none (REDRESS_RATE_TOKEN_MISSES)")
	fs.StringVar(&c.RateAnalytics, "rate-analytics", env("REDRESS_RATE_ANALYTICS", DefaultRateAnalytics), "rate limit per API key or address on analytics; 0 is none (REDRESS_RATE_ANALYTICS)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", os.Getenv("REDRESS_TRUSTED_PROXIES"), "proxies, as addresses or CIDR ranges, whose X-Forwarded-For names the client; none when empty (REDRESS_TRUSTED_PROXIES)")
	fs.StringVar(&c.TemporalUIURL, "temporal-ui-url", os.Getenv("REDRESS_TEMPORAL_UI_URL"), "the Temporal Web UI's address, for the console's link to each complaint's workflow; the dev stack sets its own (REDRESS_TEMPORAL_UI_URL)")
	fs.StringVar(&c.sessionIdle, "session-idle", env("REDRESS_SESSION_IDLE", DefaultSessionIdle.String()), "the console signs a person out after this long without a request, from 1m to 24h (REDRESS_SESSION_IDLE)")
	fs.StringVar(&c.TemporalStore, "temporal-store", os.Getenv("REDRESS_TEMPORAL_STORE"),
		"where the dev stack's Temporal server keeps its state: sqlite, or postgres (the production shape); postgres with --only infra, else sqlite, when empty (REDRESS_TEMPORAL_STORE)")
	fs.StringVar(&c.temporalShards, "temporal-shards", env("REDRESS_TEMPORAL_SHARDS", "4"),
		"history shards of the dev stack's Temporal server on PostgreSQL; fixed by its first start (REDRESS_TEMPORAL_SHARDS)")
	fs.StringVar(&c.workflowCache, "workflow-cache", env("REDRESS_WORKFLOW_CACHE", strconv.Itoa(DefaultWorkflowCache)),
		"complaint workflows a worker keeps in memory between their tasks; one evicted replays its history when it next wakes (REDRESS_WORKFLOW_CACHE)")
	fs.StringVar(&c.ProfileAddr, "pprof-addr", os.Getenv("REDRESS_PPROF_ADDR"),
		"address at which the process serves Go's runtime profiles (/debug/pprof/); off when empty; keep it private (REDRESS_PPROF_ADDR)")
	fs.StringVar(&c.Only, "only", "", "infra: the dev stack starts PostgreSQL, Temporal and the Web UI only, for separately started redress api and redress worker processes")
	return c
}

// DefaultWorkflowCache is the Temporal SDK's own default.
const DefaultWorkflowCache = 10_000

// DefaultSessionIdle signs out a console left alone over a lunch break.
const DefaultSessionIdle = 30 * time.Minute

// DefaultRetention keeps a closed complaint's history in Temporal for 90
// days: long enough to look into any complaint of the last quarter in the
// Web UI.
const DefaultRetention = 90 * 24 * time.Hour

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// Finish loads the policy and parses the keys. The production commands
// then check their secrets (secrets.go); the dev stack makes its own.
func (c *Config) Finish() error {
	var err error
	if c.Policy, err = redress.LoadPolicy(c.PolicyFile); err != nil {
		return err
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Only != "" && c.Only != "infra" {
		return fmt.Errorf("config: --only: %q; the one part the dev stack starts alone is infra", c.Only)
	}
	if c.TemporalStore == "" {
		c.TemporalStore = "sqlite"
		if c.Only == "infra" {
			c.TemporalStore = "postgres"
		}
	}
	if c.TemporalStore != "sqlite" && c.TemporalStore != "postgres" {
		return fmt.Errorf("config: REDRESS_TEMPORAL_STORE: %q must be sqlite or postgres", c.TemporalStore)
	}
	if c.TemporalShards, err = wholeNumber("--temporal-shards or REDRESS_TEMPORAL_SHARDS", c.temporalShards, 1, 1024); err != nil {
		return err
	}
	if c.WorkflowCache, err = wholeNumber("--workflow-cache or REDRESS_WORKFLOW_CACHE", c.workflowCache, 1, 1_000_000); err != nil {
		return err
	}
	if c.SessionIdle, err = time.ParseDuration(c.sessionIdle); err != nil || c.SessionIdle < time.Minute || c.SessionIdle > 24*time.Hour {
		return fmt.Errorf("config: REDRESS_SESSION_IDLE: %q must be a duration from 1m to 24h, like 30m", c.sessionIdle)
	}
	if c.Retention, err = time.ParseDuration(c.retention); err != nil || c.Retention < 24*time.Hour {
		return fmt.Errorf("config: REDRESS_RETENTION: %q must be a duration of at least 24h, like 2160h for 90 days (Temporal keeps no closed workflow for less than a day)", c.retention)
	}
	if c.Keys, err = ParseKeys(c.APIKeys); err != nil {
		return err
	}
	if c.RateLimits, err = c.parseRateLimits(); err != nil {
		return err
	}
	if c.InboundSMTPAddr != "" && c.InboundDomain == "" {
		return fmt.Errorf("config: REDRESS_INBOUND_SMTP_ADDR is set without REDRESS_INBOUND_DOMAIN, the domain whose mail the listener takes")
	}
	c.InboundDomain = strings.ToLower(strings.TrimSpace(c.InboundDomain))
	c.Proxies, err = ParseProxies(c.TrustedProxies)
	return err
}

// wholeNumber reads a number setting, from its flag or else its variable,
// so that a bad value stops start-up rather than falling back unseen.
func wholeNumber(setting, text string, least, most int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < least || n > most {
		return 0, fmt.Errorf("config: %s: %q must be a whole number from %d to %d", setting, text, least, most)
	}
	return n, nil
}

func (c *Config) parseRateLimits() (RateLimits, error) {
	var limits RateLimits
	for _, setting := range []struct {
		variable, value string
		rate            *Rate
	}{
		{"REDRESS_RATE_INTAKE", c.RateIntake, &limits.Intake},
		{"REDRESS_RATE_CUSTOMER", c.RateCustomer, &limits.Customer},
		{"REDRESS_RATE_TOKEN_MISSES", c.RateTokenMisses, &limits.TokenMisses},
		{"REDRESS_RATE_ANALYTICS", c.RateAnalytics, &limits.Analytics},
		{"REDRESS_RATE_MAIL", c.RateMail, &limits.Mail},
		{"REDRESS_RATE_FORM", c.RateForm, &limits.Form},
	} {
		var err error
		if *setting.rate, err = ParseRate(setting.variable, setting.value); err != nil {
			return RateLimits{}, err
		}
	}
	return limits, nil
}

// AttachmentStore is the URL of the object store that keeps attachments:
// REDRESS_BLOB_URL, else the folder attachments under the data dir, made
// when missing. Its temporary files stay in that folder, so that moving a
// finished one into place never crosses file systems.
func (c *Config) AttachmentStore() (string, error) {
	if c.BlobURL != "" {
		return c.BlobURL, nil
	}
	dir, err := filepath.Abs(filepath.Join(c.DataDir, "attachments"))
	if err != nil {
		return "", fmt.Errorf("config: the attachments folder: %w", err)
	}
	folder := url.URL{Scheme: "file", Path: filepath.ToSlash(dir), RawQuery: "create_dir=1&no_tmp_dir=1&metadata=skip"}
	return folder.String(), nil
}

// Channels are the notification settings.
func (c *Config) Channels() notify.ChannelOptions {
	return notify.ChannelOptions{SMTPURL: c.SMTPURL, WebhookURL: c.WebhookURL, WebhookSecret: c.WebhookSecret,
		InboundDomain: c.InboundDomain, Timezone: c.Policy.Timezone, AllowPrivateWebhooks: c.WebhookAllowPrivate}
}

// ParseKeys reads "name:role:secret" entries separated by commas.
func ParseKeys(s string) ([]APIKey, error) {
	var keys []APIKey
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		parts := strings.SplitN(entry, ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
			return nil, fmt.Errorf("config: REDRESS_API_KEYS: %q is not name:role:secret", redact(entry))
		}
		switch parts[1] {
		case RoleIntake, RoleAgent, RoleSupervisor, RoleAdmin:
		default:
			return nil, fmt.Errorf("config: REDRESS_API_KEYS: key %q has role %q; want intake, agent, supervisor or admin", parts[0], parts[1])
		}
		keys = append(keys, APIKey{Name: parts[0], Role: parts[1], Secret: parts[2]})
	}
	return keys, nil
}

func redact(entry string) string {
	if i := strings.LastIndex(entry, ":"); i >= 0 {
		return entry[:i] + ":…"
	}
	return "…"
}

// Codec builds the shared payload codec from REDRESS_PAYLOAD_KEYS.
func (c *Config) Codec() (*codec.Codec, error) {
	keys, err := crypt.ParseKeys("REDRESS_PAYLOAD_KEYS", c.PayloadKeys)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return codec.New(keys...)
}

// PayloadCodec builds the codec of Temporal payloads: each customer's
// with their data key from keys, the rest with REDRESS_PAYLOAD_KEYS.
func (c *Config) PayloadCodec(keys codec.Keys) (*codec.PerCustomer, error) {
	shared, err := c.Codec()
	if err != nil {
		return nil, err
	}
	return codec.NewPerCustomer(shared, keys), nil
}

// DevPayloadKey returns the dev stack's payload key, made once and kept in
// the data dir so that histories stay readable across restarts.
func DevPayloadKey(dataDir string) (string, error) {
	return devSecret(dataDir, "payload-key", crypt.NewKey)
}

// Keyring builds the key-encryption keys from REDRESS_DATA_KEYS.
func (c *Config) Keyring() (*crypt.Keyring, error) {
	keys, err := crypt.ParseKeys("REDRESS_DATA_KEYS", c.DataKeys)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return crypt.NewKeyring(keys...)
}

// DevDataKey returns the dev stack's key-encryption key, made once and
// kept in the data dir: without it the dev database's personal data is
// unreadable.
func DevDataKey(dataDir string) (string, error) {
	return devSecret(dataDir, "data-key", func() (string, error) {
		k, err := crypt.NewKey()
		return "dev:" + k, err
	})
}

// InfraKeys are the keys `redress dev --only infra` hands to the API
// processes started beside it: one per role, with secrets long enough for
// the production commands, made once and kept in the data dir.
func InfraKeys(dataDir string) (string, error) {
	var keys []string
	for _, role := range []string{RoleIntake, RoleAgent, RoleSupervisor, RoleAdmin} {
		secret, err := devSecret(dataDir, "api-key-"+role, func() (string, error) {
			b := make([]byte, 24)
			_, err := rand.Read(b)
			return hex.EncodeToString(b), err
		})
		if err != nil {
			return "", err
		}
		keys = append(keys, "infra-"+role+":"+role+":"+secret)
	}
	return strings.Join(keys, ","), nil
}

// DevKeys are the keys the dev stack uses when none are configured: the
// secret is the name, so a developer can type them.
func DevKeys() []APIKey {
	return []APIKey{
		{Name: "dev-intake", Role: RoleIntake, Secret: "dev-intake"},
		{Name: "dev-agent", Role: RoleAgent, Secret: "dev-agent"},
		{Name: "dev-supervisor", Role: RoleSupervisor, Secret: "dev-supervisor"},
		{Name: "dev-admin", Role: RoleAdmin, Secret: "dev-admin"},
	}
}

// DevTokenSecret returns the dev stack's token secret, made once and kept in
// the data dir so that tracking links survive a restart.
func DevTokenSecret(dataDir string) (string, error) {
	return devSecret(dataDir, "token-secret", func() (string, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return hex.EncodeToString(b), err
	})
}

// devSecret reads a secret kept in the data dir, making it on first use.
func devSecret(dataDir, name string, generate func() (string, error)) (string, error) {
	path := filepath.Join(dataDir, name)
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	secret, err := generate()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	return secret, os.WriteFile(path, []byte(secret+"\n"), 0o600)
}

// KeyFingerprint names the API keys for the audit log: each key's name,
// role and a mark of its secret, sorted, so that a key added, removed,
// given another role or a new secret changes it, and no secret shows.
func KeyFingerprint(keys []APIKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		sum := sha256.Sum256([]byte(k.Secret))
		parts[i] = k.Name + ":" + k.Role + ":" + hex.EncodeToString(sum[:4])
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}
