package api

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/locales"
	"github.com/redress-dev/redress/policies"
	"github.com/redress-dev/redress/tokens"
	"github.com/redress-dev/redress/workflows"
)

// The customers' pages: server-rendered, usable without JavaScript, in the
// browser's language. They share the token lookups and actions of the
// customer endpoints.

//go:embed templates/*.html
var templateFiles embed.FS

// pageTemplates holds one template set per language.
type pageTemplates map[string]*template.Template

func newPageTemplates(timezone string) pageTemplates {
	loc, err := redress.LoadZone(timezone)
	if err != nil {
		loc = time.UTC
	}
	sets := pageTemplates{}
	for _, lang := range redress.Languages {
		words := locales.For(lang)
		funcs := template.FuncMap{
			"t": words.Text,
			"when": func(v any) string {
				switch t := v.(type) {
				case time.Time:
					return t.In(loc).Format("2006-01-02 15:04 MST")
				case *time.Time:
					return t.In(loc).Format("2006-01-02 15:04 MST")
				}
				return ""
			},
			"kind":       func(kind string) string { return words.Text("pages.kind_" + kind) },
			"showDetail": func(kind string) bool { return kind != redress.KindResolved && redress.CustomerReadsDetail(kind) },
			"kib":        func(size int64) string { return strconv.FormatFloat(float64(size)/1024, 'f', 1, 64) },
		}
		sets[lang] = template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html"))
	}
	return sets
}

type pageData struct {
	Title     string
	Message   string
	Base      string
	Complaint trackingView
	Token     string // the tracking token, for the links to the customer's files
	CanReply  bool
	Scores    []int
	CSRF      string // the form's token, on pages whose forms need one
	Policies  []policies.Document
	Policy    policies.Document
}

// pageWords are the words of the request's page: in the browser's
// language.
func pageWords(c echo.Context) locales.Catalog {
	return locales.For(locales.Choose(c.QueryParam("lang"), c.Request().Header.Get("Accept-Language")))
}

func (s *Server) renderPage(c echo.Context, status int, name string, data pageData) error {
	words := pageWords(c)
	c.Response().Header().Set(echo.HeaderContentType, "text/html; charset=utf-8")
	c.Response().Header().Set("Content-Language", words.Tag())
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store") // pages behind a secret link
	// The pages' own inline style and nothing else; never framed; and the
	// secret in the address never leaves in a Referer.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	c.Response().WriteHeader(status)
	return s.pages[words.Language()].ExecuteTemplate(c.Response(), name, data)
}

// pageError shows an error as a page, in words for the customer.
func (s *Server) pageError(c echo.Context, err error) error {
	words := pageWords(c)
	code := redress.ErrorCode(err)
	status := redress.HTTPStatus(err)
	msg := words.Text("pages.error") + ": " + redress.ErrorMessage(err)
	switch code {
	case redress.ENOTFOUND:
		msg = words.Text("pages.not_found")
	case redress.EGONE:
		msg = words.Text("pages.gone")
	case redress.EUNAVAILABLE:
		msg = words.Text("pages.unavailable")
	case redress.EINTERNAL:
		s.logger.Error("page failed", "path", c.Path(), "error", err)
	}
	return s.renderPage(c, status, "message", pageData{Title: words.Text("pages.error"), Message: msg})
}

func (s *Server) trackPage(c echo.Context) error {
	return s.showTrackPage(c, http.StatusOK, "")
}

func (s *Server) showTrackPage(c echo.Context, status int, message string) error {
	token := c.Param("token")
	complaint, err := s.trackedComplaint(c.Request().Context(), token)
	if err != nil {
		return s.pageError(c, err)
	}
	return s.renderPage(c, status, "track", pageData{Title: pageWords(c).Text("pages.your_complaint"), Message: message,
		Base: "/track/" + token, Token: token, Complaint: s.customerViewOf(complaint),
		CanReply: complaint.Status.Open(), Policies: s.published.List(pageWords(c).Language())})
}

// policiesPage lists the published policies in the reader's language.
func (s *Server) policiesPage(c echo.Context) error {
	words := pageWords(c)
	return s.renderPage(c, http.StatusOK, "policies", pageData{Title: words.Text("pages.policies_title"),
		Policies: s.published.List(words.Language())})
}

// policyPage shows one published policy.
func (s *Server) policyPage(c echo.Context) error {
	words := pageWords(c)
	doc, ok := s.published.Get(c.Param("name"), words.Language())
	if !ok {
		return s.pageError(c, redress.Errorf(redress.ENOTFOUND, "no such policy"))
	}
	return s.renderPage(c, http.StatusOK, "policy", pageData{Title: doc.Title, Policy: doc})
}

// publishedPolicies lists the policies in force with their versions, for
// integrators (GET /v1/policies).
func (s *Server) publishedPolicies(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"policies": s.published.List(pageWords(c).Language())})
}

// trackAction runs a form's action, then shows the page again (post,
// redirect, get), or the page with what went wrong.
func (s *Server) trackAction(update string, arg func(c echo.Context) (any, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		in, err := arg(c)
		if err == nil {
			var complaint *redress.Complaint
			if complaint, err = s.trackedComplaint(c.Request().Context(), c.Param("token")); err == nil {
				err = s.customerUpdate(c.Request().Context(), c, complaint.ID, update, in)
			}
		}
		if err != nil {
			if code := redress.ErrorCode(err); code == redress.ENOTFOUND || code == redress.EUNAVAILABLE || code == redress.EINTERNAL {
				return s.pageError(c, err)
			}
			return s.showTrackPage(c, redress.HTTPStatus(err), pageWords(c).Text("pages.error")+": "+redress.ErrorMessage(err))
		}
		return c.Redirect(http.StatusSeeOther, "/track/"+c.Param("token"))
	}
}

func formText(c echo.Context, field string, max int) (string, error) {
	v := c.FormValue(field)
	ch := &redress.Checker{}
	ch.Text(field, v, true, max)
	return v, ch.Err()
}

func (s *Server) surveyPage(c echo.Context) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	id, err := s.db.ComplaintIDBySurveyToken(ctx, tokens.Hash(token))
	if err != nil {
		return s.pageError(c, err)
	}
	complaint, err := s.db.Complaint(ctx, id)
	if err != nil {
		return s.pageError(c, err)
	}
	if st := complaint.Survey.Status; st == redress.SurveyAnswered || st == redress.SurveyExpired {
		return s.pageError(c, redress.Errorf(redress.EGONE, "survey %s", st))
	}
	return s.showSurveyForm(c, http.StatusOK, "")
}

func (s *Server) showSurveyForm(c echo.Context, status int, message string) error {
	return s.renderPage(c, status, "survey", pageData{Title: pageWords(c).Text("pages.survey_title"), Message: message,
		Base: "/survey/" + c.Param("token"), Scores: []int{5, 4, 3, 2, 1}})
}

func (s *Server) surveySubmit(c echo.Context) error {
	score, err := strconv.Atoi(c.FormValue("score"))
	comment := c.FormValue("comment")
	if err != nil || score < 1 || score > 5 || strings.ContainsRune(comment, 0) || len([]rune(comment)) > 2000 {
		return s.showSurveyForm(c, http.StatusUnprocessableEntity, "")
	}
	if _, err := s.submitSurvey(c, c.Param("token"), surveyRequest{Score: score, Comment: comment}); err != nil {
		return s.pageError(c, err)
	}
	words := pageWords(c)
	return s.renderPage(c, http.StatusOK, "message", pageData{Title: words.Text("pages.survey_title"), Message: words.Text("pages.thanks")})
}

func (s *Server) registerPages(e *echo.Echo) {
	e.GET("/track/:token", s.trackPage)
	e.POST("/track/:token/reply", s.trackAction(workflows.CustomerReplyUpdate, func(c echo.Context) (any, error) {
		msg, err := formText(c, "message", redress.MaxMessage)
		return workflows.CustomerMessageInput{Message: msg}, err
	}))
	e.POST("/track/:token/confirm", s.trackAction(workflows.ConfirmUpdate, func(echo.Context) (any, error) { return nil, nil }))
	e.POST("/track/:token/reopen", s.trackAction(workflows.ReopenUpdate, func(c echo.Context) (any, error) {
		reason, err := formText(c, "reason", redress.MaxMessage)
		return workflows.CustomerMessageInput{Message: reason}, err
	}))
	e.GET("/survey/:token", s.surveyPage)
	e.GET("/policies", s.policiesPage)
	e.GET("/policies/:name", s.policyPage)
	e.POST("/survey/:token", s.surveySubmit)
}
