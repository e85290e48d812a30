package api

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/ratelimit"
)

// The route groups that rate limits hold for (SPEC section 4).
const (
	groupIntake    = "intake"
	groupCustomer  = "customer"
	groupAnalytics = "analytics"
)

var intakeRoutes = []string{"/v1/complaints", "/v1/customers", "/v1/customers/:id/purchases",
	"/v1/customers/:id/points/redeem", "/v1/coupons/:code/redeem", uploadRoute}

// routeGroup names the rate limit group of the matched route, "" for none.
// Prefixes, so that a route added under a group is limited with it.
func routeGroup(c echo.Context) string {
	route := c.Path()
	switch {
	case strings.HasPrefix(route, "/v1/analytics/"):
		return groupAnalytics
	case strings.HasPrefix(route, "/v1/track/"), strings.HasPrefix(route, "/v1/surveys/"),
		strings.HasPrefix(route, "/track/"), strings.HasPrefix(route, "/survey/"), route == "/complain", route == "/my", strings.HasPrefix(route, "/my/"):
		return groupCustomer
	case c.Request().Method == http.MethodPost && slices.Contains(intakeRoutes, route):
		return groupIntake
	}
	return ""
}

// clientIPExtractor reads the client's address from the TCP peer, or from
// X-Forwarded-For when the peer is one of the trusted proxies: a client can
// write that header, so it counts only when an operator vouches for it.
func clientIPExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	options := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		options = append(options, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(options...)
}

// sourceAddress is the client's address as per-address limits count it: an
// IPv6 client by its /64, the block one subscriber usually holds.
func sourceAddress(c echo.Context) string {
	addr, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return c.RealIP()
	}
	if addr = addr.Unmap(); addr.Is6() {
		prefix, _ := addr.Prefix(64)
		return prefix.String()
	}
	return addr.String()
}

// limitedCaller is who a staff or customer call counts against: its API key
// when it carries a valid one, so integrators behind one gateway keep budgets
// of their own; else its source address, which also slows guessing keys.
func (s *Server) limitedCaller(c echo.Context) (string, error) {
	if key, ok := s.keys.find(bearerToken(c)); ok {
		return "key " + key.Secret, nil
	}
	return "address " + sourceAddress(c), nil
}

// limitRates puts each rate limit that is on in front of its routes.
func (s *Server) limitRates(e *echo.Echo, limits config.RateLimits) {
	for _, l := range []struct {
		group string
		rate  config.Rate
	}{{groupIntake, limits.Intake}, {groupCustomer, limits.Customer}, {groupAnalytics, limits.Analytics}} {
		if l.rate.Off() {
			continue
		}
		rejected := s.metrics.rateLimited.WithLabelValues(l.group, "requests")
		e.Use(middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
			Skipper:             func(c echo.Context) bool { return routeGroup(c) != l.group },
			IdentifierExtractor: s.limitedCaller,
			Store:               ratelimit.NewShared(s.db, l.group, l.rate),
			DenyHandler: func(_ echo.Context, _ string, err error) error {
				rejected.Inc()
				return err
			},
		}))
	}
	if !limits.TokenMisses.Off() {
		e.Use(s.limitTokenMisses(ratelimit.NewShared(s.db, "token_misses", limits.TokenMisses)))
	}
}

// limitTokenMisses counts the customer calls whose link is unknown per
// source address. Once an address has spent its misses, every token route
// answers it 429 before looking the token up, so a guesser learns nothing
// more until the budget comes back, and the database sees none of it.
func (s *Server) limitTokenMisses(misses *ratelimit.Shared) echo.MiddlewareFunc {
	rejected := s.metrics.rateLimited.WithLabelValues(groupCustomer, "token_misses")
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if routeGroup(c) != groupCustomer {
				return next(c)
			}
			address := sourceAddress(c)
			if wait := misses.Wait(address, time.Now()); wait > 0 {
				rejected.Inc()
				return ratelimit.Refusal(wait, "too many unknown links from this address")
			}
			if err := next(c); err != nil {
				c.Error(err) // answer now to learn whether the link was unknown
			}
			if c.Response().Status == http.StatusNotFound {
				misses.Charge(address, time.Now())
			}
			return nil
		}
	}
}
