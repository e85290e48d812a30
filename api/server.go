// Package api serves Redress's HTTP API with Echo (SPEC section 4).
package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/intake"
	"github.com/redress-dev/redress/metrics"
	"github.com/redress-dev/redress/openapi"
	"github.com/redress-dev/redress/policies"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
)

// bodyLimit is the largest request body accepted (SPEC section 4).
const bodyLimit = "64K"

// Server is the HTTP API.
type Server struct {
	echo                *echo.Echo
	db                  *postgres.DB
	temporal            client.Client
	desk                *desk.Desk
	intake              *intake.Service
	policy              redress.Policy
	published           *policies.Library
	webhookAllowPrivate bool
	clocks              map[redress.Priority]*redress.Calendar // built once: a calendar loads its time zone
	basis               postgres.Basis                         // the policy's, for analytics' days
	keys                keyring
	tokens              *tokens.Signer
	// inboundDomain is REDRESS_INBOUND_DOMAIN, of the complaints' reply
	// addresses; "" when inbound mail is off.
	inboundDomain string
	logger        *slog.Logger
	metrics       *httpMetrics
	pages         pageTemplates

	attachments *attachments.Store

	codec         converter.PayloadCodec
	codecHandler  http.Handler
	codecOrigins  []string
	codecSessions codecSessions
	console       FrontDoor
}

// Options are what the server is built from.
type Options struct {
	DB       *postgres.DB
	Temporal client.Client
	// Attachments keeps complaints' files, which the API takes and serves.
	Attachments *attachments.Store
	Policy      redress.Policy
	Keys        []config.APIKey
	PublicURL   string
	TokenSecret string
	// InboundDomain, when inbound mail is on, is the domain of each
	// complaint's reply address.
	InboundDomain string
	// Codec, when set, serves /codec for the Web UI; CodecOrigins lists the
	// UI origins whose browsers may read its answers (CORS).
	Codec        converter.PayloadCodec
	CodecOrigins string
	// RateLimits hold per API key and per source address; the address is
	// the TCP peer's, or X-Forwarded-For's from one of TrustedProxies.
	RateLimits     config.RateLimits
	TrustedProxies []*net.IPNet
	Logger         *slog.Logger
	// Metrics is the process's registry, which /metrics serves; the API
	// adds its HTTP series and the complaints' and outbox's gauges. A
	// registry of the server's own when nil.
	Metrics *prometheus.Registry
	// Console, when set, is another front door served beside the API (the
	// agent console); it is closed first on shutdown, ending its streams.
	Console FrontDoor
	// Form, when set, is the customers' public complaint form.
	Form FrontDoor
	// Published are the policies served at /policies; none when nil.
	Published *policies.Library
	// WebhookAllowPrivate lets endpoints managed over the API be on
	// private addresses over http (the dev stack).
	WebhookAllowPrivate bool
	// Observe are middleware that see every request and its answer before
	// any other: the tests' check of the API description.
	Observe []echo.MiddlewareFunc
}

// FrontDoor is a set of routes served by the same server, over the same
// operations.
type FrontDoor interface {
	Register(e *echo.Echo)
	Close()
}

// bodyOwner is a front door some of whose requests carry files: it bounds
// their bodies itself, past the API's 64 KiB.
type bodyOwner interface {
	OwnsBody(c echo.Context) bool
}

// New builds the API with every route.
func New(o Options) *Server {
	s := &Server{db: o.DB, temporal: o.Temporal, desk: desk.New(o.DB, o.Temporal, o.Logger), policy: o.Policy, keys: newKeyring(o.Keys),
		tokens: tokens.NewSigner(o.TokenSecret, o.PublicURL), inboundDomain: o.InboundDomain, logger: o.Logger,
		clocks: map[redress.Priority]*redress.Calendar{}, pages: newPageTemplates(o.Policy.Timezone),
		codec: o.Codec, codecOrigins: parseOrigins(o.CodecOrigins), attachments: o.Attachments}
	if o.Codec != nil {
		s.codecHandler = converter.NewPayloadCodecHTTPHandler(o.Codec)
		s.codecSessions = newCodecSessions(o.DB, s.keys, o.PublicURL)
	}
	for _, p := range redress.Priorities {
		s.clocks[p] = o.Policy.Clock(p)
	}
	s.webhookAllowPrivate = o.WebhookAllowPrivate
	if s.published = o.Published; s.published == nil {
		s.published, _ = policies.Open("", false) // none: it cannot fail
	}
	s.intake = intake.New(o.DB, o.Temporal, o.Policy, s.published.Versions(), s.tokens, o.Logger)
	s.basis = postgres.BasisOf(o.Policy)
	if o.Metrics == nil {
		o.Metrics = metrics.NewRegistry()
	}
	s.metrics = newHTTPMetrics(o.Metrics)
	o.Metrics.MustRegister(newBusinessGauges(o.DB, o.Policy, s.clocks, o.Logger))
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = clientIPExtractor(o.TrustedProxies)
	e.Use(o.Observe...) // outside Recover, so that they see a panic's answer too
	e.Use(middleware.Recover())
	e.Use(s.metrics.middleware)
	s.limitRates(e, o.RateLimits) // before the body is read: a refused call costs nothing
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: bodyLimit,
		Skipper: func(c echo.Context) bool {
			// The upload route, and the front doors' pages that take files,
			// hold their bodies to limits of their own.
			for _, door := range []FrontDoor{o.Form, o.Console} {
				if owner, ok := door.(bodyOwner); ok && owner.OwnsBody(c) {
					return true
				}
			}
			return strings.HasPrefix(c.Request().URL.Path, "/codec/") || c.Path() == uploadRoute
		}}))
	s.echo = e

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(s.metrics.handler()))
	openapi.Register(e)

	s.registerPages(e)
	s.registerCodec(e)
	if o.Console != nil {
		s.console = o.Console
		o.Console.Register(e)
	}
	if o.Form != nil {
		o.Form.Register(e)
	}

	v1 := e.Group("/v1")
	staff := s.requireRole(config.RoleIntake, config.RoleAgent, config.RoleSupervisor, config.RoleAdmin)
	intake := s.requireRole(config.RoleIntake, config.RoleAdmin)
	agent := s.requireRole(config.RoleAgent, config.RoleSupervisor, config.RoleAdmin)
	supervisor := s.requireRole(config.RoleSupervisor, config.RoleAdmin)

	v1.POST("/complaints", s.createComplaint, intake)
	v1.GET("/complaints", s.listComplaints, staff)
	v1.GET("/complaints/:id", s.getComplaint, staff)
	v1.POST("/complaints/:id/acknowledge", s.acknowledge, agent)
	v1.POST("/complaints/:id/assign", s.assign, supervisor)
	v1.POST("/complaints/:id/updates", s.postUpdate, agent)
	v1.POST("/complaints/:id/escalate", s.escalate, agent)
	v1.POST("/complaints/:id/merge", s.merge, agent)
	v1.POST("/complaints/:id/resolve", s.resolve, agent)
	v1.POST("/complaints/:id/followup", s.recordFollowUp, agent)
	v1.POST("/complaints/:id/notes", s.addNote, agent)
	v1.POST(strings.TrimPrefix(uploadRoute, "/v1"), s.uploadAttachment, staff)
	v1.GET("/attachments/:id", s.downloadAttachment, staff)

	v1.POST("/customers", s.createCustomer, staff)
	v1.GET("/customers/:id", s.getCustomer, agent)
	v1.PATCH("/customers/:id", s.editCustomer, agent)
	v1.POST("/customers/:id/merge", s.mergeCustomers, supervisor)
	v1.GET("/macros", s.listMacros, agent)
	v1.GET("/macros/:id", s.getMacro, agent)
	v1.POST("/macros", s.saveMacro, supervisor)
	v1.PUT("/macros/:id", s.saveMacro, supervisor)
	v1.DELETE("/macros/:id", s.deleteMacro, supervisor)
	v1.GET("/complaints/:id/macros/:macro", s.fillMacro, agent)
	v1.GET("/customers/:id/notes", s.customerNotes, agent)
	v1.POST("/customers/:id/notes", s.addCustomerNote, agent)
	v1.GET("/analytics/summary", s.analyticsSummary, supervisor)
	v1.GET("/analytics/agents", s.analyticsAgents, supervisor)
	v1.GET("/analytics/timeseries", s.analyticsTimeseries, supervisor)
	v1.GET("/analytics/prevention", s.analyticsPrevention, supervisor)
	v1.GET("/analytics/winbacks", s.analyticsWinbacks, supervisor)
	v1.GET("/analytics/followups", s.analyticsFollowUps, supervisor)
	admin := s.requireRole(config.RoleAdmin)
	v1.DELETE("/codec/sessions", s.endCodecSessions, admin)
	v1.GET("/audit", s.auditLog, admin)
	v1.POST("/customers/:id/erase", s.eraseCustomer, admin)
	v1.GET("/customers/:id/export", s.exportCustomer, admin)
	v1.POST("/campaigns", s.startCampaign, admin)
	v1.GET("/campaigns/:id", s.getCampaign, admin)
	s.registerWebhooks(v1, admin)
	v1.POST("/customers/:id/purchases", s.addPurchase, intake)
	v1.POST("/customers/:id/points/redeem", s.redeemPoints, intake)
	v1.GET("/customers/:id/points", s.points, agent)
	v1.POST("/coupons/:code/redeem", s.redeemCoupon, intake)
	v1.GET("/policies", s.publishedPolicies)

	// The customer's own endpoints: the token is the credential.
	v1.GET("/track/:token", s.track)
	v1.POST("/track/:token/reply", s.customerReply)
	v1.POST("/track/:token/confirm", s.confirm)
	v1.POST("/track/:token/reopen", s.reopen)
	v1.GET("/track/:token/attachments/:id", s.customerAttachment)
	v1.POST("/surveys/:token", s.answerSurvey)
	return s
}

// Routes are the routes the server answers, of every front door.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// Handler exposes the API for tests and embedding.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve answers requests on the listener until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	srv := &http.Server{Handler: s.echo, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	s.echo.Server = srv
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops taking requests and lets those under way finish.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.console != nil {
		s.console.Close()
	}
	return s.echo.Shutdown(ctx)
}
