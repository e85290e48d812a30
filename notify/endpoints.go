package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
)

// Endpoints delivers to the webhook endpoints, the environment's and those
// managed over the API, the events the store gave them as it wrote each
// (postgres.insertEvents): each endpoint in order per complaint and apart
// from the others, so one that fails never holds another up. Its retries
// back off; an endpoint that has failed for DisableAfter is disabled.
type Endpoints struct {
	DB     *postgres.DB
	Links  *tokens.Signer
	Logger *slog.Logger
	// AllowPrivate lets endpoints be on loopback and private addresses,
	// and plain http: the dev stack's.
	AllowPrivate bool
	// DisableAfter is how long an endpoint may fail before it is disabled;
	// zero means a day.
	DisableAfter time.Duration
	// Senders is how many deliveries go out at once from this process.
	Senders int
	// EnvironmentURL is REDRESS_WEBHOOK_URL: its endpoint's deliveries may
	// reach the operator's network.
	EnvironmentURL string
}

const (
	endpointLease      = 2 * webhookTimeout
	maxEndpointBackoff = time.Hour
)

// clients are the endpoints' HTTP clients: for those added over the API,
// and for the environment's, which the operator chose: it may be on their
// own network or behind their proxy, as REDRESS_WEBHOOK_URL always could.
type clients struct {
	managed, environment *http.Client
	environmentURL       string
}

// of is the client for an endpoint: the environment's only for the URL
// this worker's environment names, whatever a row says of itself.
func (c clients) of(endpoint *postgres.WebhookEndpoint) *http.Client {
	if endpoint.ManagedBy == postgres.ManagedByEnvironment && c.environmentURL != "" && endpoint.URL == c.environmentURL {
		return c.environment
	}
	return c.managed
}

// environmentClient follows no redirect, like every endpoint's client.
func environmentClient() *http.Client {
	return &http.Client{Timeout: webhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Run delivers until ctx ends.
func (e *Endpoints) Run(ctx context.Context) {
	c := clients{managed: endpointClient(e.AllowPrivate), environment: environmentClient(), environmentURL: e.EnvironmentURL}
	senders := max(e.Senders, 1)
	for range senders {
		go poll(ctx, e.Logger, "webhook endpoints", func(ctx context.Context) (bool, error) { return e.deliverOne(ctx, c) })
	}
	<-ctx.Done()
}

func (e *Endpoints) deliverOne(ctx context.Context, c clients) (bool, error) {
	d, err := e.DB.ClaimWebhookDelivery(ctx, endpointLease)
	if err != nil || d == nil {
		return false, err
	}
	start := time.Now()
	code, sendErr := e.send(ctx, c, d)
	attempt := postgres.WebhookAttempt{ResponseCode: code, Latency: time.Since(start), Err: sendErr}
	if sendErr != nil {
		attempt.RetryAt = time.Now().Add(min(time.Duration(1<<min(d.Attempts, 12))*time.Second, maxEndpointBackoff))
		e.Logger.Warn("webhook delivery failed", "endpoint", d.EndpointID, "event", d.EventID, "attempt", d.Attempts, "error", sendErr)
	}
	after := e.DisableAfter
	if after <= 0 {
		after = 24 * time.Hour
	}
	disabled, err := e.DB.RecordWebhookAttempt(ctx, d, attempt, after)
	if disabled {
		e.Logger.Error("webhook endpoint disabled after failing for a day; enable it again with PATCH /v1/webhooks/{id}",
			"endpoint", d.EndpointID)
	}
	return true, err
}

// send reads the endpoint and the event and posts it; a read that fails
// is the attempt's failure too, recorded and retried like any other.
func (e *Endpoints) send(ctx context.Context, c clients, d *postgres.WebhookDelivery) (int, error) {
	endpoint, err := e.DB.WebhookEndpoint(ctx, d.EndpointID)
	if err != nil {
		return 0, err
	}
	ev, err := e.DB.OutboxEvent(ctx, d.EventID)
	if err != nil {
		return 0, err
	}
	return postSigned(ctx, c.of(endpoint), endpoint.URL, endpoint.Secrets, withLinks(ev, e.Links))
}

// postSigned posts an event, signed with every secret given (a rotation
// signs with both), and answers the response's status code.
func postSigned(ctx context.Context, client *http.Client, target string, secrets []string, ev redress.Event) (int, error) {
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Redress-Webhook/1")
	req.Header.Set(SignatureHeader, SignAll(secrets, time.Now(), body))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 3 {
		return resp.StatusCode, fmt.Errorf("answered %s; redirects are not followed", resp.Status)
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// errPrivateAddress is an endpoint that resolves to an address of this
// machine or its network.
var errPrivateAddress = errors.New("the endpoint resolves to a loopback, private or link-local address")

// endpointClient follows no redirect and, unless private addresses are
// allowed, refuses to connect to one, whatever the name resolved to at the
// time: a name that pointed outside when it was saved may point inside now.
func endpointClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: webhookTimeout}
	dialer.Control = func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || neverReached(ip) || !allowPrivate && private(ip) {
			return errPrivateAddress
		}
		return nil
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = dialer.DialContext
	transport.Proxy = nil
	return &http.Client{Timeout: webhookTimeout, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// private is an address of this machine or its network.
func private(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || neverReached(ip)
}

// neverReached is an address no endpoint may have, even where private ones
// may: link-local (a cloud's metadata service is 169.254.169.254),
// multicast, unspecified, and the special ranges below; an IPv6 address
// that carries an IPv4 one (NAT64, 6to4) is judged by it.
func neverReached(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return neverReached(netip.AddrFrom4([4]byte(b[12:16]))) || private(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return neverReached(netip.AddrFrom4([4]byte(b[2:6]))) || private(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range specialRanges {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	// specialRanges are no Internet service's: "this network", carrier-grade
	// NAT (Alibaba Cloud's metadata service is 100.100.100.200), IETF
	// protocol assignments, benchmarking, reserved, and AWS's IPv6 metadata
	// service.
	specialRanges = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("192.0.0.0/24"), netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("fd00:ec2::254/128")}
)

// CheckEndpointURL checks an endpoint's URL as it is saved: https, on a
// name or an address outside this machine's networks; with allowPrivate
// (the dev stack) plain http and any address too.
func CheckEndpointURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("must be an absolute https:// URL without credentials")
	}
	host := strings.ToLower(u.Hostname())
	if ip, err := netip.ParseAddr(host); err == nil && neverReached(ip) {
		return errPrivateAddress
	}
	if allowPrivate {
		return nil
	}
	if u.Scheme != "https" {
		return fmt.Errorf("must be https://")
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return errPrivateAddress
	}
	if ip, err := netip.ParseAddr(host); err == nil && private(ip) {
		return errPrivateAddress
	}
	return nil
}
