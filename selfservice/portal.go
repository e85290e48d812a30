package selfservice

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/ratelimit"
	"github.com/redress-dev/redress/tokens"
)

// The portal (/my): a customer asks for a sign-in link by e-mail address;
// the link, mailed to that address, works once within linkLifetime and
// opens a session of its own, apart from staff's, for sessionLifetime. The
// signed-in customer sees the complaints of every customer record with
// that address, and only those.
const (
	linkLifetime    = 15 * time.Minute
	sessionLifetime = 30 * time.Minute
	sessionCookie   = "redress_my"
)

type portalPage struct {
	Lang       string
	CSRF       string
	Email      string
	Error      string
	Sent       bool
	SignedIn   bool
	Complaints []portalComplaint
	Loyalty    postgres.PortalLoyalty
}

type portalComplaint struct {
	Subject     string
	Status      string // in words
	CreatedAt   time.Time
	TrackingURL string
	SurveyURL   string
}

func (s *Service) registerPortal(e *echo.Echo, csrf echo.MiddlewareFunc) {
	e.GET("/my", s.portalHome, csrf)
	e.POST("/my", s.askForLink, csrf)
	e.GET("/my/sign-in/:token", s.signIn)
	e.GET("/my/complaints", s.myComplaints, csrf)
	e.POST("/my/sign-out", s.signOut, csrf)
}

func (s *Service) showPortal(c echo.Context, status int, page portalPage) error {
	page.Lang = words(c).Language()
	page.CSRF, _ = c.Get("csrf").(string)
	return s.render(c, status, "portal", page)
}

func (s *Service) portalHome(c echo.Context) error {
	if _, ok := sessionOf(c); ok {
		return c.Redirect(http.StatusSeeOther, "/my/complaints")
	}
	return s.showPortal(c, http.StatusOK, portalPage{})
}

// askForLink mails a sign-in link when the address is a customer's, and
// answers alike when it is not.
func (s *Service) askForLink(c echo.Context) error {
	w := words(c)
	email := strings.TrimSpace(c.FormValue("email"))
	ch := &redress.Checker{}
	if ch.Email("email", email); email == "" || ch.Err() != nil {
		return s.showPortal(c, http.StatusUnprocessableEntity, portalPage{Email: email, Error: w.Text("form.invalid_email")})
	}
	if s.limit != nil {
		if wait := s.limit.Take("portal:"+c.RealIP(), s.nowFunc()); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(wait)))
			return s.showPortal(c, http.StatusTooManyRequests, portalPage{Email: email, Error: w.Text("form.too_many")})
		}
	}
	// The outbox keeps the link's id; the link itself, a credential, is
	// derived from it with the secret when the mail is sent.
	link := randomToken()
	token := s.o.Tokens.Portal(link)
	now := s.nowFunc().UTC()
	_, err := s.o.DB.CreatePortalLink(c.Request().Context(), email, tokens.Hash(token), now.Add(linkLifetime),
		func(customerID string) redress.Event {
			return redress.Event{ID: "portal-" + base64.RawURLEncoding.EncodeToString(tokens.Hash(token)[:12]), Type: redress.EventPortalSignIn,
				OccurredAt: now, CustomerID: customerID, Data: map[string]any{"link": link, "language": w.Language()}}
		})
	if err != nil {
		return s.showPortal(c, redress.HTTPStatus(err), portalPage{Email: email, Error: w.Text("form.unavailable")})
	}
	return s.showPortal(c, http.StatusOK, portalPage{Sent: true, Email: email})
}

func (s *Service) signIn(c echo.Context) error {
	session := randomToken()
	err := s.o.DB.UsePortalLink(c.Request().Context(), tokens.Hash(c.Param("token")), tokens.Hash(session),
		s.nowFunc().Add(sessionLifetime))
	if auditErr := s.o.DB.Audit(c.Request().Context(), redress.AuditLine{Actor: "customer", Action: redress.AuditSignIn, Target: "portal",
		Detail: map[string]any{"ok": err == nil, "address": c.RealIP()}}); auditErr != nil && err == nil {
		err = auditErr
	}
	if err != nil {
		w := words(c)
		msg := w.Text("portal.link_gone")
		if redress.ErrorCode(err) != redress.EGONE {
			msg = w.Text("form.unavailable")
		}
		return s.showPortal(c, redress.HTTPStatus(err), portalPage{Error: msg})
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: session, Path: "/my", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(sessionLifetime.Seconds())})
	return c.Redirect(http.StatusSeeOther, "/my/complaints?lang="+words(c).Language())
}

func (s *Service) myComplaints(c echo.Context) error {
	session, ok := sessionOf(c)
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/my")
	}
	list, err := s.o.DB.PortalComplaints(c.Request().Context(), tokens.Hash(session))
	if redress.ErrorCode(err) == redress.EUNAUTHORIZED {
		return c.Redirect(http.StatusSeeOther, "/my")
	}
	w := words(c)
	if err != nil {
		return s.showPortal(c, redress.HTTPStatus(err), portalPage{Error: w.Text("form.unavailable")})
	}
	page := portalPage{SignedIn: true}
	if page.Loyalty, err = s.o.DB.PortalLoyalty(c.Request().Context(), tokens.Hash(session)); err != nil {
		return s.showPortal(c, redress.HTTPStatus(err), portalPage{Error: w.Text("form.unavailable")})
	}
	for _, p := range list {
		page.Complaints = append(page.Complaints, s.portalView(p, w.Text("pages.status_"+string(p.Status))))
	}
	return s.showPortal(c, http.StatusOK, page)
}

func (s *Service) portalView(p postgres.PortalComplaint, status string) portalComplaint {
	v := portalComplaint{Subject: p.Subject, Status: status, CreatedAt: p.CreatedAt,
		TrackingURL: s.o.Tokens.TrackingURL(s.o.Tokens.Tracking(p.ID))}
	if p.Survey == redress.SurveySent || p.Survey == redress.SurveyReminded {
		v.SurveyURL = s.o.Tokens.SurveyURL(s.o.Tokens.Survey(p.ID, p.SurveyRound))
	}
	return v
}

func (s *Service) signOut(c echo.Context) error {
	if session, ok := sessionOf(c); ok {
		if err := s.o.DB.EndPortalSession(c.Request().Context(), tokens.Hash(session)); err != nil {
			return s.showPortal(c, redress.HTTPStatus(err), portalPage{Error: words(c).Text("form.unavailable")})
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/my", MaxAge: -1, HttpOnly: true, Secure: s.secure})
	return c.Redirect(http.StatusSeeOther, "/my")
}

func sessionOf(c echo.Context) (string, bool) {
	cookie, err := c.Cookie(sessionCookie)
	if err != nil || cookie.Value == "" {
		return "", false
	}
	return cookie.Value, true
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail
	return base64.RawURLEncoding.EncodeToString(b[:])
}
