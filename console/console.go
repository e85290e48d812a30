// Package console is the agent console: the pages under /console/ where
// staff work their complaints. It is a second front door over the same
// operations as the JSON API (package desk) and the same records; it holds no
// rules of its own beyond what a page shows.
package console

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/ratelimit"
	"github.com/redress-dev/redress/tokens"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Console serves the agent console.
type Console struct {
	db         *postgres.DB
	desk       *desk.Desk
	files      *attachments.Store
	tokens     *tokens.Signer // the customers' links, which canned replies fill in
	zone       *time.Location // the policy's, in which canned replies write due times
	policy     redress.Policy
	calendars  map[redress.Priority]*redress.Calendar
	pages      map[string]*template.Template // by language
	logger     *slog.Logger
	temporalUI string // the Web UI's workflow page base, "" when there is none
	secure     bool   // cookies only over HTTPS
	idle       time.Duration
	live       *hub

	signInsByAddress *ratelimit.Shared
	signInFailures   *ratelimit.Shared // by e-mail
}

// Options are what the console is built from.
type Options struct {
	DB          *postgres.DB
	Desk        *desk.Desk
	Attachments *attachments.Store
	Tokens      *tokens.Signer
	Policy      redress.Policy
	Logger      *slog.Logger
	// PublicURL is where people reach the service; an https URL makes the
	// session cookie Secure.
	PublicURL string
	// TemporalUIURL and Namespace make each complaint link to its workflow
	// in the Temporal Web UI; an empty URL leaves the link out.
	TemporalUIURL string
	Namespace     string
	// SessionIdle signs a person out after this long without a request.
	SessionIdle time.Duration
}

// sessionLifetime is the longest a session lasts, however busy: one working
// day and some.
const sessionLifetime = 12 * time.Hour

// New builds the console. Its live updates start with Register.
func New(o Options) *Console {
	c := &Console{db: o.DB, desk: o.Desk, files: o.Attachments, tokens: o.Tokens, zone: time.UTC, policy: o.Policy, logger: o.Logger, idle: o.SessionIdle,
		calendars: map[redress.Priority]*redress.Calendar{}, pages: parseTemplates(),
		secure:           strings.HasPrefix(o.PublicURL, "https://"),
		signInsByAddress: ratelimit.NewShared(o.DB, "sign_ins_by_address", config.Rate{PerSecond: 20.0 / 60, Burst: 20}),
		signInFailures:   ratelimit.NewShared(o.DB, "sign_in_failures", config.Rate{PerSecond: 1.0 / 60, Burst: 10}),
		live:             newHub(o.DB, o.Logger)}
	if c.idle <= 0 {
		c.idle = 30 * time.Minute
	}
	if o.TemporalUIURL != "" {
		c.temporalUI = strings.TrimSuffix(o.TemporalUIURL, "/") + "/namespaces/" + url.PathEscape(o.Namespace) + "/workflows/"
	}
	for _, p := range redress.Priorities {
		c.calendars[p] = o.Policy.Clock(p)
	}
	if zone, err := redress.LoadZone(o.Policy.Timezone); err == nil {
		c.zone = zone
	}
	return c
}

// Register adds the console's routes to the server.
func (c *Console) Register(e *echo.Echo) {
	static, _ := fs.Sub(staticFiles, "static")
	e.GET("/console/static/*", echo.WrapHandler(http.StripPrefix("/console/static/",
		cacheFor(time.Hour, http.FileServer(http.FS(static))))))
	e.GET("/console/login", c.loginPage)
	e.POST("/console/login", c.login)

	g := e.Group("/console", c.requireSession, c.readUploads, c.checkCSRF)
	g.GET("", c.home)
	g.GET("/", c.home)
	g.POST("/logout", c.logout)
	g.POST("/language", c.setLanguage)
	g.GET("/events", c.events)
	c.registerQueues(g)
	c.registerComplaint(g)
	c.registerAttachments(g)
	c.registerCustomer(g)
	c.registerFollowUps(g)
	c.registerSupervisor(g, c.requireRole(config.RoleSupervisor, config.RoleAdmin))
	g.GET("/audit", c.auditPage, c.requireRole(config.RoleAdmin))
}

// Close stops the live updates.
func (c *Console) Close() { c.live.close() }

func (c *Console) home(ctx echo.Context) error {
	return ctx.Redirect(http.StatusSeeOther, "/console/queues/mine")
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}
