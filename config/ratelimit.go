package config

import (
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
)

// Rate is a limit on one caller's requests: PerSecond on average, up to
// Burst at once. The zero Rate is no limit.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Off tells whether the rate limits nothing.
func (r Rate) Off() bool { return r.PerSecond == 0 }

// RateLimits are the API's limits (SPEC section 4), each held per API key
// and per source address.
type RateLimits struct {
	Intake    Rate // filing complaints, customers and purchases
	Customer  Rate // the customers' token endpoints and pages
	Analytics Rate // the analytics endpoints
	// TokenMisses counts the customer calls whose link is unknown (404), per
	// source address; once spent, that address gets 429 on every token
	// endpoint, so guessing links is slow.
	TokenMisses Rate
	// Mail is per sender address on the inbound mail listener.
	Mail Rate
	// Form is per source address on complaints filed through /complain.
	Form Rate
}

// The default limits, each with the caller it is made for.
const (
	// Intake systems send bursts: a mail gateway flushing its queue after an
	// outage, a batch import. 20/s per key leaves a runaway integration a
	// quarter of what one dev stack files.
	DefaultRateIntake = "20/s burst 100"
	// A customer needs a few calls a minute: the page, a reply, a confirmation.
	DefaultRateCustomer = "60/min burst 30"
	// A link mangled by a mail program is tried a few times; past that, one
	// try every three minutes.
	DefaultRateTokenMisses = "20/h burst 10"
	// A dashboard refreshes every minute, a few panels at a time.
	DefaultRateAnalytics = "60/min burst 60"
	// A customer writes a few mails about a complaint, now and then a burst
	// of forwards; a mail loop or a flood from one address slows to one
	// every two minutes, retried by its sending server.
	DefaultRateMail = "30/h burst 10"
	// A household files a complaint or two; a script behind one address
	// is slowed to one every six minutes.
	DefaultRateForm = "10/h burst 5"
)

// DefaultRateLimits are the limits of a service started without settings.
func DefaultRateLimits() RateLimits {
	must := func(s string) Rate {
		r, err := ParseRate("default", s)
		if err != nil {
			panic(err)
		}
		return r
	}
	return RateLimits{Intake: must(DefaultRateIntake), Customer: must(DefaultRateCustomer),
		Analytics: must(DefaultRateAnalytics), TokenMisses: must(DefaultRateTokenMisses), Mail: must(DefaultRateMail),
		Form: must(DefaultRateForm)}
}

var rateUnits = map[string]float64{"s": 1, "min": 60, "h": 3600}

// ParseRate reads a rate written "N/s", "N/min" or "N/h", optionally
// followed by "burst B" (B is N when not given); "0" or "off" is no limit.
// variable names the setting in messages.
func ParseRate(variable, s string) (Rate, error) {
	fields := strings.Fields(s)
	if len(fields) == 1 && (fields[0] == "0" || fields[0] == "off") {
		return Rate{}, nil
	}
	bad := func(why string) error {
		return fmt.Errorf(`config: %s: %q %s; write it like "20/s burst 40" (per s, min or h), or 0 for no limit`, variable, s, why)
	}
	if len(fields) != 1 && (len(fields) != 3 || fields[1] != "burst") {
		return Rate{}, bad("is not a rate")
	}
	count, unit, _ := strings.Cut(fields[0], "/")
	seconds, ok := rateUnits[unit]
	if !ok {
		return Rate{}, bad("has no unit")
	}
	n, err := strconv.ParseFloat(count, 64)
	if err != nil || !(n > 0) || math.IsInf(n, 1) {
		return Rate{}, bad("needs a number of requests above 0")
	}
	burst := int(math.Min(math.Ceil(n), math.MaxInt32))
	if len(fields) == 3 {
		if burst, err = strconv.Atoi(fields[2]); err != nil || burst < 1 {
			return Rate{}, bad("needs a whole burst of at least 1")
		}
	}
	return Rate{PerSecond: n / seconds, Burst: burst}, nil
}

// ParseProxies reads the proxies trusted to name the client in
// X-Forwarded-For: addresses or CIDR ranges separated by commas.
func ParseProxies(s string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if ip := net.ParseIP(entry); ip != nil && ip.To4() != nil {
			entry += "/32"
		} else if ip != nil {
			entry += "/128"
		}
		_, n, err := net.ParseCIDR(entry)
		if err != nil {
			return nil, fmt.Errorf("config: REDRESS_TRUSTED_PROXIES: %q is neither an address nor a CIDR range like 10.0.0.0/8", entry)
		}
		nets = append(nets, n)
	}
	return nets, nil
}
