package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/locales"
	"github.com/redress-dev/redress/postgres"
)

const (
	sessionCookie = "redress_session"
	// loginCookie carries the sign-in form's CSRF token before there is a
	// session (a double-submit cookie).
	loginCookie = "redress_login"
	viewerKey   = "console.viewer"
)

// viewer is the signed-in person behind a request.
type viewer struct {
	User       redress.StaffUser
	Lang       string
	Chosen     string // the language the person chose, "" for the browser's
	CSRF       string
	Supervisor bool
	Admin      bool
	tokenHash  []byte
}

func viewerOf(ctx echo.Context) *viewer {
	v, _ := ctx.Get(viewerKey).(*viewer)
	return v
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func (c *Console) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge, HttpOnly: true,
		Secure: c.secure, SameSite: http.SameSiteLaxMode}
}

// requireSession lets through requests of a signed-in, enabled person whose
// session is neither idle nor too old; a page request without one goes to
// the sign-in form, anything else gets 401.
func (c *Console) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		v, err := c.session(ctx, true)
		if err != nil {
			if redress.ErrorCode(err) != redress.ENOTFOUND {
				return c.failure(ctx, err)
			}
			ctx.SetCookie(c.cookie(sessionCookie, "", -1))
			if ctx.Request().Method == http.MethodGet && ctx.Request().Header.Get("Accept") != "text/event-stream" {
				return ctx.Redirect(http.StatusSeeOther, "/console/login?next="+url.QueryEscape(ctx.Request().URL.RequestURI()))
			}
			return c.render(ctx, http.StatusUnauthorized, "message", page{Title: "401", Error: wordsFor(ctx).Text("console.signed_out")})
		}
		ctx.Set(viewerKey, v)
		return next(ctx)
	}
}

// session finds the request's session; none is ENOTFOUND.
func (c *Console) session(ctx echo.Context, touch bool) (*viewer, error) {
	ck, err := ctx.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, redress.Errorf(redress.ENOTFOUND, "no session")
	}
	hash := hashToken(ck.Value)
	s, err := c.db.StaffSession(ctx.Request().Context(), hash, c.idle, sessionLifetime, touch)
	if err != nil {
		return nil, err
	}
	return &viewer{User: s.User, Chosen: s.Language, Lang: locales.Choose(s.Language, ctx.Request().Header.Get("Accept-Language")), CSRF: s.CSRFToken,
		Supervisor: s.User.Role == config.RoleSupervisor || s.User.Role == config.RoleAdmin,
		Admin:      s.User.Role == config.RoleAdmin, tokenHash: hash}, nil
}

// checkCSRF refuses a state change whose form or header does not carry the
// session's token: a page on another site cannot read it.
func (c *Console) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		if ctx.Request().Method == http.MethodGet || ctx.Request().Method == http.MethodHead {
			return next(ctx)
		}
		sent := ctx.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			sent = ctx.FormValue("csrf")
		}
		if !sameToken(sent, viewerOf(ctx).CSRF) {
			return c.render(ctx, http.StatusForbidden, "message", page{Title: "403",
				Error: wordsFor(ctx).Text("console.form_expired")})
		}
		return next(ctx)
	}
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// requireRole lets through people with one of the roles; others get a page
// saying what they may not see.
func (c *Console) requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(ctx echo.Context) error {
			if v := viewerOf(ctx); !slices.Contains(roles, v.User.Role) {
				return c.failure(ctx, redress.Errorf(redress.EFORBIDDEN, "the %s role may not open this page; it needs one of: %s",
					v.User.Role, strings.Join(roles, ", ")))
			}
			return next(ctx)
		}
	}
}

type loginData struct {
	Email, Next, CSRF string
}

func (c *Console) loginPage(ctx echo.Context) error {
	if v, err := c.session(ctx, false); err == nil && v != nil {
		return ctx.Redirect(http.StatusSeeOther, "/console/")
	}
	token := randomToken()
	ctx.SetCookie(c.cookie(loginCookie, token, 3600))
	return c.render(ctx, http.StatusOK, "login", page{Title: wordsFor(ctx).Text("console.sign_in"),
		Data: loginData{Next: safeNext(ctx.QueryParam("next")), CSRF: token}})
}

// login checks the e-mail and password and starts a session. Attempts are
// limited per address, failures per e-mail, so that guessing is slow; an
// unknown e-mail costs the same hashing as a known one.
func (c *Console) login(ctx echo.Context) error {
	ck, err := ctx.Cookie(loginCookie)
	if err != nil || !sameToken(ctx.FormValue("csrf"), ck.Value) {
		return c.render(ctx, http.StatusForbidden, "message", page{Title: "403",
			Error: wordsFor(ctx).Text("console.sign_in_form_expired")})
	}
	now := time.Now()
	address := ctx.RealIP()
	email := strings.ToLower(strings.TrimSpace(ctx.FormValue("email")))
	if wait := max(c.signInsByAddress.Take(address, now), c.signInFailures.Wait(email, now)); wait > 0 {
		return c.failure(ctx, rateLimitedSignIn(wait))
	}
	next := safeNext(ctx.FormValue("next"))
	again := func() error {
		c.signInFailures.Charge(email, now)
		token := randomToken()
		ctx.SetCookie(c.cookie(loginCookie, token, 3600))
		words := wordsFor(ctx)
		return c.render(ctx, http.StatusUnauthorized, "login", page{Title: words.Text("console.sign_in"),
			Error: words.Text("console.wrong_password"), Data: loginData{Email: email, Next: next, CSRF: token}})
	}
	account, err := c.lookUp(ctx, email)
	if err != nil {
		return c.failure(ctx, err)
	}
	hash := dummyHash
	if account != nil {
		hash = account.PasswordHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(ctx.FormValue("password"))) != nil || account == nil || account.User.Disabled {
		if err := c.audit(ctx, redress.ByUser(email), redress.AuditSignIn, "console", map[string]any{"ok": false, "address": address}); err != nil {
			return c.failure(ctx, err)
		}
		return again()
	}
	if err := c.audit(ctx, redress.ByUser(account.User.Email), redress.AuditSignIn, "console", map[string]any{"ok": true, "address": address}); err != nil {
		return c.failure(ctx, err)
	}
	// Sessions past their time are deleted at each sign-in, so the table
	// holds about as many rows as there are people signed in.
	if err := c.db.DropIdleStaffSessions(ctx.Request().Context(), c.idle, sessionLifetime); err != nil {
		return c.failure(ctx, err)
	}
	token := randomToken()
	if err := c.db.StartStaffSession(ctx.Request().Context(), hashToken(token), account.User.ID, randomToken()); err != nil {
		return c.failure(ctx, err)
	}
	ctx.SetCookie(c.cookie(sessionCookie, token, int(sessionLifetime.Seconds())))
	ctx.SetCookie(c.cookie(loginCookie, "", -1))
	c.logger.Info("console sign-in", "user", account.User.Email)
	if next == "" {
		next = "/console/"
	}
	return ctx.Redirect(http.StatusSeeOther, next)
}

func (c *Console) lookUp(ctx echo.Context, email string) (*postgres.StaffLogin, error) {
	if _, err := mail.ParseAddress(email); err != nil || len(email) > 254 {
		return nil, nil
	}
	account, err := c.db.StaffLoginByEmail(ctx.Request().Context(), email)
	if redress.ErrorCode(err) == redress.ENOTFOUND {
		return nil, nil
	}
	return account, err
}

// dummyHash is compared against when the e-mail has no account, so that the
// answer takes as long as for one that has.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no account has this password"), bcrypt.DefaultCost)

func rateLimitedSignIn(wait time.Duration) error {
	return &redress.Error{Code: redress.ERATELIMITED, RetryAfter: wait.Round(time.Second) + time.Second,
		Message: "too many sign-in attempts; wait a minute and try again"}
}

// safeNext keeps a redirect after sign-in inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, `\`) {
		return next
	}
	return ""
}

func (c *Console) logout(ctx echo.Context) error {
	if err := c.db.EndStaffSession(ctx.Request().Context(), viewerOf(ctx).tokenHash); err != nil {
		return c.failure(ctx, err)
	}
	ctx.SetCookie(c.cookie(sessionCookie, "", -1))
	return ctx.Redirect(http.StatusSeeOther, "/console/login")
}

// setLanguage keeps the person's language: "en", "zh" or "" for the
// browser's.
func (c *Console) setLanguage(ctx echo.Context) error {
	lang := ctx.FormValue("language")
	if lang != "" && !slices.Contains(redress.Languages, lang) {
		return c.failure(ctx, redress.Invalid(redress.FieldError{Field: "language", Message: "must be en, zh or empty"}))
	}
	if err := c.db.SetStaffLanguage(ctx.Request().Context(), viewerOf(ctx).User.ID, lang); err != nil {
		return c.failure(ctx, err)
	}
	back := safeNext(ctx.FormValue("next"))
	if back == "" {
		back = "/console/"
	}
	return ctx.Redirect(http.StatusSeeOther, back)
}
