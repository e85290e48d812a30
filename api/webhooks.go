package api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/crypt"
	"github.com/redress-dev/redress/notify"
	"github.com/redress-dev/redress/postgres"
)

// defaultRotationOverlap is how long the old secret keeps signing after a
// rotation, by default: a day for the integrator to switch.
const defaultRotationOverlap = 24 * time.Hour

// maxRotationOverlap bounds it: an old secret is retired within a week.
const maxRotationOverlap = 7 * 24 * time.Hour

func (s *Server) registerWebhooks(v1 *echo.Group, admin echo.MiddlewareFunc) {
	v1.POST("/webhooks", s.createWebhook, admin)
	v1.GET("/webhooks", s.listWebhooks, admin)
	v1.GET("/webhooks/:id", s.getWebhook, admin)
	v1.PATCH("/webhooks/:id", s.editWebhook, admin)
	v1.DELETE("/webhooks/:id", s.deleteWebhook, admin)
	v1.POST("/webhooks/:id/rotate", s.rotateWebhook, admin)
	v1.GET("/webhooks/:id/deliveries", s.webhookDeliveries, admin)
	v1.POST("/webhooks/:id/deliveries/:delivery/redeliver", s.redeliver, admin)
}

type webhookRequest struct {
	URL        *string   `json:"url"`
	EventTypes *[]string `json:"event_types"`
	Enabled    *bool     `json:"enabled"`
}

// check validates what the request sets; creating needs the URL.
func (s *Server) check(req webhookRequest, creating bool) error {
	ch := &redress.Checker{}
	switch {
	case req.URL == nil && creating:
		ch.Fail("url", "is required")
	case req.URL != nil:
		if err := notify.CheckEndpointURL(*req.URL, s.webhookAllowPrivate); err != nil {
			ch.Fail("url", "%s", err.Error())
		} else if len(*req.URL) > 2000 {
			ch.Fail("url", "must be at most 2000 characters")
		}
	}
	if req.EventTypes != nil {
		for _, t := range *req.EventTypes {
			if !slices.Contains(redress.EventTypes, t) {
				ch.Fail("event_types", "%q is not an event type", t)
			}
		}
	}
	return ch.Err()
}

// endpointAnswer is an endpoint, with its secret only when just made.
type endpointAnswer struct {
	*postgres.WebhookEndpoint
	Secret string `json:"secret,omitempty"`
}

func answerEndpoint(e *postgres.WebhookEndpoint, secret string) endpointAnswer {
	shown := *e
	shown.URL = shownURL(e.URL)
	return endpointAnswer{WebhookEndpoint: &shown, Secret: secret}
}

// shownURL hides a password in an endpoint's URL: the API refuses them,
// but REDRESS_WEBHOOK_URL may hold one.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

func newWebhookSecret() string {
	return "whsec_" + base64.RawURLEncoding.EncodeToString(crypt.NewSecret())
}

// createWebhook adds an endpoint and answers its secret, this once.
func (s *Server) createWebhook(c echo.Context) error {
	var req webhookRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	if err := s.check(req, true); err != nil {
		return err
	}
	types, enabled := []string{}, true
	if req.EventTypes != nil {
		types = *req.EventTypes
	}
	if req.Enabled != nil {
		enabled = *req.Enabled
	}
	secret := newWebhookSecret()
	ctx := c.Request().Context()
	e, err := s.db.CreateWebhookEndpoint(ctx, *req.URL, types, enabled, secret, keyActor(c))
	if err != nil {
		return err
	}
	if err := s.audit(c, keyActor(c), redress.AuditWebhookChange, "webhook:"+e.ID, map[string]any{"what": "added", "url": shownURL(e.URL)}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, answerEndpoint(e, secret))
}

func (s *Server) listWebhooks(c echo.Context) error {
	list, err := s.db.WebhookEndpoints(c.Request().Context())
	if err != nil {
		return err
	}
	out := []endpointAnswer{}
	for _, e := range list {
		out = append(out, answerEndpoint(e, ""))
	}
	return c.JSON(http.StatusOK, map[string]any{"endpoints": out})
}

func (s *Server) getWebhook(c echo.Context) error {
	e, err := s.db.WebhookEndpoint(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, answerEndpoint(e, ""))
}

func (s *Server) editWebhook(c echo.Context) error {
	var req webhookRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	if err := s.check(req, false); err != nil {
		return err
	}
	e, err := s.db.EditWebhookEndpoint(c.Request().Context(), c.Param("id"),
		postgres.WebhookEdit{URL: req.URL, EventTypes: req.EventTypes, Enabled: req.Enabled})
	if err != nil {
		return err
	}
	if err := s.audit(c, keyActor(c), redress.AuditWebhookChange, "webhook:"+e.ID, map[string]any{"what": "changed", "url": shownURL(e.URL),
		"enabled": e.Enabled}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, answerEndpoint(e, ""))
}

func (s *Server) deleteWebhook(c echo.Context) error {
	if err := s.db.DeleteWebhookEndpoint(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	if err := s.audit(c, keyActor(c), redress.AuditWebhookChange, "webhook:"+c.Param("id"), map[string]any{"what": "removed"}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type rotateRequest struct {
	Overlap string `json:"overlap"` // a Go duration; a day when empty
}

// rotateWebhook gives an endpoint a new secret, answered this once; the old
// one signs beside it for the overlap.
func (s *Server) rotateWebhook(c echo.Context) error {
	var req rotateRequest
	if _, err := bind(c, &req); err != nil {
		return err
	}
	overlap := defaultRotationOverlap
	if req.Overlap != "" {
		d, err := time.ParseDuration(req.Overlap)
		if err != nil || d < 0 || d > maxRotationOverlap {
			return redress.Invalid(redress.FieldError{Field: "overlap", Message: "must be a duration like 24h, from 0s to 168h"})
		}
		overlap = d
	}
	secret := newWebhookSecret()
	e, err := s.db.RotateWebhookSecret(c.Request().Context(), c.Param("id"), secret, overlap)
	if err != nil {
		return err
	}
	if err := s.audit(c, keyActor(c), redress.AuditWebhookChange, "webhook:"+e.ID, map[string]any{"what": "secret rotated",
		"overlap": overlap.String()}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, answerEndpoint(e, secret))
}

// webhookDeliveriesShown bounds the delivery log's answer: the newest.
const webhookDeliveriesShown = 200

func (s *Server) webhookDeliveries(c echo.Context) error {
	list, err := s.db.WebhookDeliveries(c.Request().Context(), c.Param("id"), webhookDeliveriesShown)
	if err != nil {
		return err
	}
	if list == nil {
		list = []postgres.WebhookDelivery{}
	}
	return c.JSON(http.StatusOK, map[string]any{"deliveries": list})
}

func (s *Server) redeliver(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil {
		return redress.Errorf(redress.ENOTFOUND, "no delivery %q", c.Param("delivery"))
	}
	if err := s.db.Redeliver(c.Request().Context(), c.Param("id"), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}
