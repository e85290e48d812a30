package selfservice

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/intake"
	"github.com/redress-dev/redress/ratelimit"
)

// formValues are what the customer typed, kept when the form is shown
// again.
type formValues struct {
	Name, Email, Phone, OrderRef, Category, Subject, Description string
	BadFile                                                      string // the file a files error names
}

type formPage struct {
	Lang       string
	CSRF       string
	Challenge  challenge
	PowBits    int
	Values     formValues
	Errors     map[string]string // field (or "form") to what is wrong with it, in words
	Categories []redress.Category
}

type filedPage struct {
	Lang        string
	TrackingURL string
	AnswerBy    *time.Time
	ResolveBy   *time.Time
	Email       string
	Files       []string // the names of the files kept with it
}

func (s *Service) form(c echo.Context) error {
	return s.showForm(c, http.StatusOK, formValues{}, nil)
}

// showForm shows the form, with what was typed and what is wrong with it
// (field to message id).
func (s *Service) showForm(c echo.Context, status int, v formValues, errs map[string]string) error {
	csrf, _ := c.Get("csrf").(string)
	w := words(c)
	said := map[string]string{}
	for field, id := range errs {
		said[field] = w.Format(id, "Name", v.BadFile)
	}
	return s.render(c, status, "form", formPage{Lang: w.Language(), CSRF: csrf, Challenge: s.newChallenge(s.nowFunc()),
		PowBits: powBits, Values: v, Errors: said, Categories: redress.Categories})
}

// honeypot is a field people never see or fill; software that fills every
// field gives itself away.
const honeypot = "website"

func (s *Service) submit(c echo.Context) error {
	v := formValues{Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email")),
		Phone: strings.TrimSpace(c.FormValue("phone")), OrderRef: strings.TrimSpace(c.FormValue("order_ref")),
		Category: c.FormValue("category"), Subject: strings.TrimSpace(c.FormValue("subject")),
		Description: strings.TrimSpace(c.FormValue("description"))}
	if c.FormValue(honeypot) != "" {
		s.o.Logger.Info("complaint form: the honeypot was filled; nothing filed", "address", c.RealIP())
		return s.render(c, http.StatusOK, "filed", filedPage{Lang: words(c).Language()})
	}
	errs := checkForm(v)
	files := attachments.Picked(c.Request(), "files")
	if problem, name := checkFiles(files); problem != "" {
		errs["files"] = problem
		v.BadFile = name
	}
	if len(errs) > 0 {
		return s.showForm(c, http.StatusUnprocessableEntity, v, errs)
	}
	token := c.FormValue("challenge")
	if err := s.checkChallenge(token, c.FormValue("pow"), c.FormValue("sum"), s.nowFunc()); err != nil {
		return s.showForm(c, http.StatusUnprocessableEntity, v, map[string]string{"sum": "form.challenge_failed"})
	}
	if s.limit != nil {
		if wait := s.limit.Take(c.RealIP(), s.nowFunc()); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(wait)))
			return s.showForm(c, http.StatusTooManyRequests, v, map[string]string{"form": "form.too_many"})
		}
	}
	w := words(c)
	hash := sha256.Sum256([]byte(strings.Join([]string{v.Name, v.Email, v.Phone, v.OrderRef, v.Category, v.Subject, v.Description}, "\x00")))
	filed, err := s.o.Intake.File(c.Request().Context(), intake.Request{
		Complaint: intake.Complaint{
			Customer: redress.Customer{Name: v.Name, Email: v.Email, Phone: v.Phone, Language: w.Language()},
			Channel:  redress.ChannelWeb, Subject: v.Subject, Description: v.Description, OrderRef: v.OrderRef,
			Category: redress.Category(v.Category),
		},
		// One form, one complaint: a second click, or a resend after a
		// lost answer, is answered with the first.
		Caller: caller, By: redress.ByCustomerForm, IdempotencyKey: "form:" + token, RequestHash: hash[:],
	})
	switch code := redress.ErrorCode(err); {
	case err == nil:
	case code == redress.ECONFLICT:
		return s.showForm(c, http.StatusConflict, v, map[string]string{"form": "form.already_sent"})
	case code == redress.EUNAVAILABLE, code == redress.ERATELIMITED:
		return s.showForm(c, http.StatusServiceUnavailable, v, map[string]string{"form": "form.unavailable"})
	default:
		var fieldErr *redress.Error
		if errors.As(err, &fieldErr) && fieldErr.Code == redress.EINVALID {
			return s.showForm(c, http.StatusUnprocessableEntity, v, map[string]string{"form": "form.invalid"})
		}
		s.o.Logger.Error("complaint form", "error", err)
		return s.showForm(c, http.StatusInternalServerError, v, map[string]string{"form": "form.unavailable"})
	}
	kept, err := s.keepFiles(c.Request().Context(), filed.Complaint.ID, files)
	if err != nil {
		// The complaint is filed; the same form sent again is answered
		// with it, and its files are kept then.
		s.o.Logger.Warn("complaint form: files not kept", "complaint", filed.Complaint.ID, "error", err)
		return s.showForm(c, http.StatusServiceUnavailable, v, map[string]string{"form": "form.files_unavailable"})
	}
	return s.render(c, http.StatusOK, "filed", filedPage{Lang: w.Language(), Email: v.Email, Files: kept,
		TrackingURL: s.o.Tokens.TrackingURL(filed.TrackingToken), AnswerBy: filed.Complaint.AckDueAt,
		ResolveBy: filed.Complaint.ResolveDueAt})
}

// caller is the name under which the form files complaints.
const caller = "form"

// checkForm checks the fields as intake would, naming each fault by a
// message id of the catalogs.
func checkForm(v formValues) map[string]string {
	errs := map[string]string{}
	text := func(field, value string, required bool, max int) {
		ch := &redress.Checker{}
		ch.Text(field, value, required, max)
		if ch.Err() != nil {
			errs[field] = "form.required"
			if value != "" {
				errs[field] = "form.too_long"
			}
		}
	}
	text("name", v.Name, true, 200)
	text("subject", v.Subject, true, intake.MaxSubject)
	text("description", v.Description, true, intake.MaxDescription)
	text("order_ref", v.OrderRef, false, intake.MaxOrderRef)
	if ch := (&redress.Checker{}); v.Email == "" {
		errs["email"] = "form.required"
	} else if ch.Email("email", v.Email); ch.Err() != nil {
		errs["email"] = "form.invalid_email"
	}
	if ch := (&redress.Checker{}); v.Phone != "" {
		if ch.Phone("phone", v.Phone); ch.Err() != nil {
			errs["phone"] = "form.invalid_phone"
		}
	}
	if v.Category != "" {
		ch := &redress.Checker{}
		if redress.CheckEnum(ch, "category", redress.Category(v.Category), false, redress.Categories); ch.Err() != nil {
			errs["category"] = "form.invalid"
		}
	}
	return errs
}
