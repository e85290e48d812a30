// Command redress runs the complaint-handling service: the whole dev stack
// in one process, or the API, the worker and the migrations separately.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // SLA calendars name time zones; do not depend on the host's database

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/redress-dev/redress/api"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/console"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/devstack"
	"github.com/redress-dev/redress/intake"
	"github.com/redress-dev/redress/mailin"
	"github.com/redress-dev/redress/metrics"
	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/policies"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/selfservice"
	"github.com/redress-dev/redress/staff"
	"github.com/redress-dev/redress/temporalutil"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/worker"
	"github.com/redress-dev/redress/workflows"
)

const usage = `redress: complaint handling on Temporal.

Usage:
  redress dev      the whole stack in one process: PostgreSQL, Temporal, Web UI, worker, API
  redress api      the HTTP API (against an external Temporal and PostgreSQL)
  redress worker   the Temporal worker and the outbox dispatcher
  redress migrate  apply the database migrations and exit
  redress repair   start again the open complaints whose workflow no longer runs (--dry-run lists them)
  redress users    add, list or disable the people who sign in to the console
  redress analytics rebuild   recompute the analytics rollups from the complaints
  redress audit verify        check the audit log's hash chain

Run "redress <command> -h" for the flags; each has an environment variable.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if os.Args[1] == "users" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := usersMain(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	if os.Args[1] == "audit" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := auditMain(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	if os.Args[1] == "analytics" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := analyticsMain(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	fs := flag.NewFlagSet("redress "+os.Args[1], flag.ExitOnError)
	cfg := config.Flags(fs)
	var dryRun *bool
	if os.Args[1] == "repair" {
		dryRun = fs.Bool("dry-run", false, "list the complaints without a running workflow, and start nothing")
	}
	commands := map[string]func(context.Context, *config.Config, *slog.Logger) error{
		"dev": runDev, "api": runAPI, "worker": runWorker, "migrate": runMigrate,
		"repair": func(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
			return runRepair(ctx, cfg, *dryRun, logger)
		},
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	_ = fs.Parse(os.Args[2:])
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	cfg.Chosen = func(flagName, variable string) bool { return given[flagName] || os.Getenv(variable) != "" }
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := cfg.Finish(); err != nil {
		fmt.Fprintln(os.Stderr, "redress:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.ProfileAddr != "" {
		if _, err := serveProfiles(ctx, cfg.ProfileAddr, logger); err != nil {
			fmt.Fprintln(os.Stderr, "redress:", err)
			os.Exit(1)
		}
	}
	if err := run(ctx, cfg, logger); err != nil {
		fmt.Fprintln(os.Stderr, "redress:", err)
		os.Exit(1)
	}
}

func runDev(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	began := time.Now()
	devAccounts, err := devSettings(cfg, cfg.Chosen)
	if err != nil {
		return err
	}
	if cfg.TokenSecret == "" {
		secret, err := config.DevTokenSecret(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.TokenSecret = secret
	}
	if cfg.PayloadKeys == "" {
		key, err := config.DevPayloadKey(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.PayloadKeys = key
	}
	if cfg.DataKeys == "" {
		key, err := config.DevDataKey(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.DataKeys = key
	}
	if cfg.CodecOrigins == "" { // the dev Web UI, which anyone at this machine may open
		cfg.CodecOrigins = fmt.Sprintf("http://127.0.0.1:%d,http://localhost:%d", cfg.UIPort, cfg.UIPort)
	}
	if cfg.Only == "infra" {
		return runInfra(ctx, cfg, logger, began, devAccounts)
	}
	if cfg.InboundSMTPAddr == "" {
		cfg.InboundSMTPAddr = "127.0.0.1:2525"
	}
	if cfg.InboundDomain == "" {
		cfg.InboundDomain = "redress.localhost"
	}
	stack, err := devstack.Start(ctx, cfg, logger)
	if err != nil {
		return err
	}
	if devAccounts {
		if err := staff.EnsureDevUsers(ctx, stack.DB, cfg.DevPassword); err != nil {
			stack.Close()
			return err
		}
	}
	files, err := cfg.AttachmentStore()
	if err != nil {
		stack.Close()
		return err
	}
	fmt.Printf(`
Redress is ready (%.1fs).
  API          %s (described at %s/docs and %s/openapi.json)
  Metrics      %s/metrics (the API's and the worker's)
  Inbound mail smtp://%s for complaints@%s and the complaints' reply addresses
  Customers    %s/complain (the complaint form), %s/my (their complaints)
  Temporal     %s (namespace %s)
  Web UI       %s
  PostgreSQL   %s
  Data         %s
  Attachments  %s
  API keys     %s
  Console      %s/console/ as agent@, supervisor@ or admin@example.com (password: REDRESS_DEV_PASSWORD, default redress)
  Decoding     sign in at %s/codec/sign-in with dev-supervisor to read customers' data in the Web UI
Press Ctrl-C to stop.
`, time.Since(began).Seconds(), httpURL(stack.APIAddr), cfg.PublicURL, cfg.PublicURL, httpURL(stack.APIAddr), stack.MailAddr, cfg.InboundDomain, cfg.PublicURL, cfg.PublicURL, cfg.TemporalAddress, cfg.TemporalNamespace, stack.UIURL,
		postgresWhere(cfg.DatabaseURL, stack.PostgresDir), cfg.DataDir, files, keyList(cfg.Keys), cfg.PublicURL, cfg.PublicURL)
	<-ctx.Done()
	fmt.Println("Stopping…")
	return stack.Close()
}

// httpURL turns a listen address into a URL a person can open.
func httpURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() || ip.IsLoopback() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func keyList(keys []config.APIKey) string {
	s := ""
	for _, k := range keys {
		if s != "" {
			s += ", "
		}
		if k.Secret == k.Name {
			s += k.Name + " (" + k.Role + ")"
		} else {
			s += k.Name + " (" + k.Role + ", secret from REDRESS_API_KEYS)"
		}
	}
	return s
}

// postgresWhere says where the database is and, for the dev cluster, where
// its files are: root's cluster may live outside the data dir.
func postgresWhere(connString, dir string) string {
	if dir == "" {
		return redactURL(connString)
	}
	return redactURL(connString) + ", files in " + dir
}

// redactURL shows where the database is without its password.
func redactURL(connString string) string {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return "(DATABASE_URL)"
	}
	return fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
}

func runAPI(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	if err := cfg.RequireAPISecrets(); err != nil {
		return err
	}
	reg := metrics.New(logger)
	db, tc, err := connect(ctx, cfg, reg, logger)
	if err != nil {
		return err
	}
	defer closeAll(db, tc, reg)
	if err := db.RecordKeys(ctx, config.KeyFingerprint(cfg.Keys)); err != nil {
		return err
	}
	payloadCodec, err := cfg.PayloadCodec(db)
	if err != nil {
		return err
	}
	serviceDesk := desk.New(db, tc, logger)
	blobURL, err := cfg.AttachmentStore()
	if err != nil {
		return err
	}
	files, err := attachments.Open(ctx, blobURL, db, serviceDesk, logger)
	if err != nil {
		return err
	}
	defer files.Close()
	// One intake for the customers' front doors beside the API: the form and
	// the mail listener.
	signer := tokens.NewSigner(cfg.TokenSecret, cfg.PublicURL)
	published, err := policies.Open(cfg.PoliciesDir, false)
	if err != nil {
		return err
	}
	filer := intake.New(db, tc, cfg.Policy, published.Versions(), signer, logger)
	srv := api.New(api.Options{DB: db, Temporal: tc, Attachments: files, Policy: cfg.Policy, Keys: cfg.Keys, Published: published, WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		PublicURL: cfg.PublicURL, TokenSecret: cfg.TokenSecret, InboundDomain: cfg.InboundDomain, Codec: payloadCodec.Fresh(), CodecOrigins: cfg.CodecOrigins,
		RateLimits: cfg.RateLimits, TrustedProxies: cfg.Proxies, Logger: logger, Metrics: reg.Registry,
		Form: selfservice.New(selfservice.Options{DB: db, Intake: filer, Attachments: files,
			Tokens: signer, Secret: cfg.TokenSecret, PublicURL: cfg.PublicURL,
			Timezone: cfg.Policy.Timezone, PerAddress: cfg.RateLimits.Form, Logger: logger}),
		Console: console.New(console.Options{DB: db, Desk: serviceDesk, Attachments: files, Tokens: signer, Policy: cfg.Policy, Logger: logger,
			PublicURL: cfg.PublicURL, TemporalUIURL: cfg.TemporalUIURL, Namespace: cfg.TemporalNamespace, SessionIdle: cfg.SessionIdle})})
	l, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	logger.Info("api listening", "addr", l.Addr().String())
	if cfg.InboundSMTPAddr != "" {
		mail := mailin.New(mailin.Options{Domain: cfg.InboundDomain, DB: db,
			Intake: filer, Desk: serviceDesk, Attachments: files,
			Tokens: signer, PerSender: cfg.RateLimits.Mail, Metrics: reg.Registry, Logger: logger})
		addr, err := mail.Listen(cfg.InboundSMTPAddr)
		if err != nil {
			l.Close()
			return err
		}
		defer mail.Close()
		logger.Info("inbound mail listening", "addr", addr, "domain", cfg.InboundDomain)
	}
	go files.Run(ctx)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	return srv.Serve(l)
}

func runWorker(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	if err := cfg.RequireWorkerSecrets(); err != nil {
		return err
	}
	metricsListener, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer metricsListener.Close()
	reg := metrics.New(logger)
	db, tc, err := connect(ctx, cfg, reg, logger)
	if err != nil {
		return err
	}
	defer closeAll(db, tc, reg)
	if err := temporalutil.EnsureSearchAttributes(ctx, tc, cfg.TemporalNamespace); err != nil {
		return err
	}
	if err := workflows.EnsureRetentionSchedule(ctx, tc, cfg.Policy); err != nil {
		return err
	}
	if err := workflows.EnsureCampaignSchedule(ctx, tc, cfg.Policy); err != nil {
		return err
	}
	if err := workflows.EnsureLoyaltySchedule(ctx, tc, cfg.Policy); err != nil {
		return err
	}
	if err := temporalutil.EnsureRetention(ctx, tc, cfg.TemporalNamespace, cfg.Retention); err != nil {
		// A namespace managed elsewhere (Temporal Cloud, a platform team)
		// may not let the worker change it; the complaints still work.
		logger.Warn("could not set the namespace's retention; set it where the namespace is managed", "want", cfg.Retention, "error", err)
	}
	signer := tokens.NewSigner(cfg.TokenSecret, cfg.PublicURL)
	channels, err := notify.Channels(cfg.Channels(), db, signer, logger)
	if err != nil {
		return err
	}
	if err := notify.KeepEnvironmentWebhook(ctx, cfg.Channels(), db); err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- reg.Serve(ctx, metricsListener) }()
	logger.Info("worker running", "task_queue", "complaints", "metrics", metricsListener.Addr().String())
	worker.SetWorkflowCache(cfg.WorkflowCache)
	endpoints := notify.NewEndpoints(cfg.Channels(), db, signer, logger)
	err = worker.New(tc, db, signer, cfg.Policy, channels, endpoints, reg.Registry, logger).Run(ctx)
	stop()
	return errors.Join(err, <-served)
}

// connect opens the database and dials Temporal, as the production
// commands do against external services. The client reports its metrics
// to reg.
func connect(ctx context.Context, cfg *config.Config, reg *metrics.Registry, logger *slog.Logger) (*postgres.DB, client.Client, error) {
	keyring, err := cfg.Keyring()
	if err != nil {
		return nil, nil, err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, keyring)
	if err != nil {
		return nil, nil, err
	}
	payloadCodec, err := cfg.PayloadCodec(db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	tc, err := temporalutil.Dial(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, payloadCodec.DataConverter(), reg.Temporal, logger)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, tc, nil
}

func closeAll(db *postgres.DB, tc client.Client, reg *metrics.Registry) {
	tc.Close()
	_ = reg.Close()
	db.Close()
}

// runRepair runs one repair pass, as the worker does every 10 minutes.
func runRepair(ctx context.Context, cfg *config.Config, dryRun bool, logger *slog.Logger) error {
	if err := cfg.RequireWorkerSecrets(); err != nil {
		return err
	}
	reg := metrics.New(logger)
	db, tc, err := connect(ctx, cfg, reg, logger)
	if err != nil {
		return err
	}
	defer closeAll(db, tc, reg)
	report, err := worker.Repair(ctx, tc, db, cfg.Policy, dryRun, logger)
	for _, id := range report.Orphans {
		fmt.Println("without a running workflow:", id)
	}
	for _, id := range report.FirstEngine {
		fmt.Println("on the first deadline engine:", id)
	}
	fmt.Printf("%d open complaints checked, %d without a running workflow, %d started again; %d on the first engine, %d moved\n",
		report.Checked, len(report.Orphans), report.Restarts, len(report.FirstEngine), report.Moved)
	return err
}

func runMigrate(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	db, err := postgres.Open(ctx, cfg.DatabaseURL, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	logger.Info("migrations applied")
	return nil
}
