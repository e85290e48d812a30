package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
	temporalconfig "go.temporal.io/server/common/config"
	temporallog "go.temporal.io/server/common/log"

	"github.com/redress-dev/redress/api"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/console"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/intake"
	"github.com/redress-dev/redress/mailin"
	"github.com/redress-dev/redress/metrics"
	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/policies"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/selfservice"
	"github.com/redress-dev/redress/temporalutil"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/worker"
	"github.com/redress-dev/redress/workflows"
)

// Stack is every part of Redress running in this process.
type Stack struct {
	Config      *config.Config
	DB          *postgres.DB
	Temporal    client.Client
	APIAddr     string // where the API listens, host:port
	MailAddr    string // where the inbound mail listener listens; empty when it is off
	UIURL       string // empty when the UI is off
	PostgresDir string // the dev cluster's files; empty when DATABASE_URL is set
	// Attachments keeps complaints' files, in REDRESS_BLOB_URL or the
	// folder attachments under the data dir.
	Attachments *attachments.Store
	// Metrics is the one registry of the stack's parts, served by the API's
	// /metrics: the worker's and the client's Temporal SDK series with the
	// API's own.
	Metrics *metrics.Registry

	postgres *Postgres
	server   *TemporalServer
	ui       *WebUI
	api      *api.Server
	mail     *mailin.Listener
	cancel   context.CancelFunc
	done     chan struct{}
	closed   sync.Once
	closeErr error
}

// Option adjusts how the stack starts; tests use them.
type Option func(*startOptions)

type startOptions struct {
	serverSettings map[string]any
	observe        []echo.MiddlewareFunc
}

// WithObserver puts a middleware in front of every route of the API, to
// see each request and its answer.
func WithObserver(m echo.MiddlewareFunc) Option {
	return func(o *startOptions) { o.observe = append(o.observe, m) }
}

// WithServerSetting overrides one of the embedded Temporal server's dynamic
// settings.
func WithServerSetting(key string, value any) Option {
	return func(o *startOptions) {
		if o.serverSettings == nil {
			o.serverSettings = map[string]any{}
		}
		o.serverSettings[key] = value
	}
}

// Start brings the stack up: PostgreSQL (unless DATABASE_URL is set), the
// Temporal server, the namespace's search attributes, the Web UI (unless
// UIPort is 0), then, unless Only is "infra", the worker and the API.
// Everything lives under DataDir.
func Start(ctx context.Context, cfg *config.Config, logger *slog.Logger, options ...Option) (_ *Stack, err error) {
	var o startOptions
	for _, option := range options {
		option(&o)
	}
	s := &Stack{Config: cfg, done: make(chan struct{})}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	if cfg.DatabaseURL == "" {
		if s.postgres, err = StartPostgres(ctx, filepath.Join(cfg.DataDir, "postgres"), "redress"); err != nil {
			return nil, err
		}
		cfg.DatabaseURL = s.postgres.URL("redress")
		s.PostgresDir = s.postgres.Dir()
	}
	keyring, err := cfg.Keyring()
	if err != nil {
		return nil, err
	}
	if s.DB, err = postgres.Open(ctx, cfg.DatabaseURL, keyring); err != nil {
		return nil, err
	}
	if err := s.DB.Migrate(ctx); err != nil {
		return nil, err
	}

	tlog := temporallog.NewZapLogger(temporallog.BuildZapLogger(temporallog.Config{
		Level: "warn", OutputFile: filepath.Join(cfg.DataDir, "temporal.log")}))
	store, err := temporalStore(cfg)
	if err != nil {
		return nil, err
	}
	if s.server, err = StartTemporal(store, cfg.TemporalAddress, cfg.TemporalNamespace, tlog, o.serverSettings); err != nil {
		return nil, err
	}
	payloadCodec, err := cfg.PayloadCodec(s.DB)
	if err != nil {
		return nil, err
	}
	s.Metrics = metrics.New(logger)
	if s.Temporal, err = temporalutil.Dial(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, payloadCodec.DataConverter(), s.Metrics.Temporal, logger); err != nil {
		return nil, err
	}
	if err := temporalutil.EnsureSearchAttributes(ctx, s.Temporal, cfg.TemporalNamespace); err != nil {
		return nil, err
	}
	if err := temporalutil.EnsureRetention(ctx, s.Temporal, cfg.TemporalNamespace, cfg.Retention); err != nil {
		return nil, err
	}
	if err := workflows.EnsureRetentionSchedule(ctx, s.Temporal, cfg.Policy); err != nil {
		return nil, err
	}
	if err := workflows.EnsureCampaignSchedule(ctx, s.Temporal, cfg.Policy); err != nil {
		return nil, err
	}
	if err := workflows.EnsureLoyaltySchedule(ctx, s.Temporal, cfg.Policy); err != nil {
		return nil, err
	}
	if cfg.UIPort != 0 {
		s.ui = StartWebUI(cfg.TemporalAddress, cfg.TemporalNamespace, cfg.UIPort, cfg.PublicURL+"/codec")
		s.UIURL = s.ui.URL()
	}
	if cfg.Only == "infra" {
		return s, nil
	}

	signer := tokens.NewSigner(cfg.TokenSecret, cfg.PublicURL)
	delivery := cfg.Channels()
	delivery.LogLinks = true // the developer's own machine: the customers' links are theirs to open
	delivery.AllowPrivateWebhooks = true
	channels, err := notify.Channels(delivery, s.DB, signer, logger)
	if err != nil {
		return nil, err
	}
	if cfg.WorkflowCache > 0 {
		worker.SetWorkflowCache(cfg.WorkflowCache)
	}
	if err := notify.KeepEnvironmentWebhook(ctx, delivery, s.DB); err != nil {
		return nil, err
	}
	w := worker.New(s.Temporal, s.DB, signer, cfg.Policy, channels, notify.NewEndpoints(delivery, s.DB, signer, logger),
		s.Metrics.Registry, logger)
	uiURL := cfg.TemporalUIURL
	if s.UIURL != "" {
		uiURL = s.UIURL
	}
	serviceDesk := desk.New(s.DB, s.Temporal, logger)
	blobURL, err := cfg.AttachmentStore()
	if err != nil {
		return nil, err
	}
	if s.Attachments, err = attachments.Open(ctx, blobURL, s.DB, serviceDesk, logger); err != nil {
		return nil, err
	}
	published, err := policies.Open(cfg.PoliciesDir, true)
	if err != nil {
		return nil, err
	}
	filer := intake.New(s.DB, s.Temporal, cfg.Policy, published.Versions(), signer, logger) // the form's and the mail listener's
	if err := s.DB.RecordKeys(ctx, config.KeyFingerprint(cfg.Keys)); err != nil {
		return nil, err
	}
	s.api = api.New(api.Options{DB: s.DB, Temporal: s.Temporal, Attachments: s.Attachments, Policy: cfg.Policy, Keys: cfg.Keys, Published: published, WebhookAllowPrivate: true, Observe: o.observe,
		PublicURL: cfg.PublicURL, TokenSecret: cfg.TokenSecret, InboundDomain: cfg.InboundDomain, Codec: payloadCodec.Fresh(), CodecOrigins: cfg.CodecOrigins,
		RateLimits: cfg.RateLimits, TrustedProxies: cfg.Proxies, Logger: logger, Metrics: s.Metrics.Registry,
		Form: selfservice.New(selfservice.Options{DB: s.DB, Intake: filer, Attachments: s.Attachments,
			Tokens: signer, Secret: cfg.TokenSecret, PublicURL: cfg.PublicURL, Timezone: cfg.Policy.Timezone,
			PerAddress: cfg.RateLimits.Form, Logger: logger}),
		Console: console.New(console.Options{DB: s.DB, Desk: serviceDesk, Attachments: s.Attachments, Tokens: signer, Policy: cfg.Policy,
			Logger: logger, PublicURL: cfg.PublicURL, TemporalUIURL: uiURL, Namespace: cfg.TemporalNamespace,
			SessionIdle: cfg.SessionIdle})})
	l, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	s.APIAddr = l.Addr().String()
	if cfg.InboundSMTPAddr != "" {
		s.mail = mailin.New(mailin.Options{Domain: cfg.InboundDomain, DB: s.DB,
			Intake: filer, Desk: serviceDesk, Attachments: s.Attachments,
			Tokens: signer, PerSender: cfg.RateLimits.Mail, Metrics: s.Metrics.Registry, Logger: logger})
		if s.MailAddr, err = s.mail.Listen(cfg.InboundSMTPAddr); err != nil {
			l.Close()
			return nil, err
		}
	}
	// Close waits for the worker only once it runs.
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	workerDone := make(chan error, 1)
	go func() { workerDone <- w.Run(runCtx) }()
	go s.Attachments.Run(runCtx)
	go func() {
		if err := s.api.Serve(l); err != nil {
			logger.Error("api stopped", "error", err)
		}
	}()
	go func() {
		if err := <-workerDone; err != nil {
			logger.Error("worker stopped", "error", err)
		}
		close(s.done)
	}()
	return s, nil
}

// temporalStore is where the config asks the Temporal server to keep its
// state: a file under the data dir, or databases beside Redress's on the
// PostgreSQL server of DATABASE_URL (redress_temporal and
// redress_temporal_visibility beside redress).
func temporalStore(cfg *config.Config) (TemporalStore, error) {
	if cfg.TemporalStore != "postgres" {
		return TemporalStore{SQLite: filepath.Join(cfg.DataDir, "temporal.db"), Shards: 1}, nil
	}
	pc, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return TemporalStore{}, fmt.Errorf("temporal on postgres: %w", err)
	}
	return TemporalStore{Shards: cfg.TemporalShards, Postgres: &temporalconfig.SQL{DatabaseName: pc.Database,
		ConnectAddr: net.JoinHostPort(pc.Host, strconv.Itoa(int(pc.Port))), User: pc.User, Password: pc.Password}}, nil
}

// APIRoutes are the routes the API answers; none before it starts.
func (s *Stack) APIRoutes() []*echo.Route {
	if s.api == nil {
		return nil
	}
	return s.api.Routes()
}

// StopTemporalServer stops the embedded Temporal server alone, leaving the
// API up: how the fault tests take Temporal away.
func (s *Stack) StopTemporalServer() error {
	if s.server == nil {
		return nil
	}
	err := s.server.Stop()
	s.server = nil
	return err
}

// Close stops every part, the API first so nothing new arrives, and lets
// PostgreSQL and Temporal finish their writes. Closing twice is harmless.
func (s *Stack) Close() error {
	s.closed.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Stack) close() error {
	var errs []error
	if s.mail != nil {
		errs = append(errs, s.mail.Close())
	}
	if s.api != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, s.api.Shutdown(ctx))
		cancel()
	}
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	if s.ui != nil {
		s.ui.Stop()
	}
	if s.Attachments != nil {
		errs = append(errs, s.Attachments.Close())
	}
	if s.Temporal != nil {
		s.Temporal.Close()
	}
	if s.Metrics != nil {
		errs = append(errs, s.Metrics.Close())
	}
	if s.server != nil {
		errs = append(errs, s.server.Stop())
	}
	if s.DB != nil {
		s.DB.Close()
	}
	if s.postgres != nil {
		errs = append(errs, s.postgres.Stop())
	}
	return errors.Join(errs...)
}
