package config_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/redress-dev/redress/config"
)

func TestParseRate(t *testing.T) {
	good := []struct {
		in   string
		want config.Rate
	}{
		{"20/s burst 40", config.Rate{PerSecond: 20, Burst: 40}},
		{"20/s", config.Rate{PerSecond: 20, Burst: 20}},
		{"60/min burst 30", config.Rate{PerSecond: 1, Burst: 30}},
		{"36/h", config.Rate{PerSecond: 0.01, Burst: 36}},
		{"0.5/s", config.Rate{PerSecond: 0.5, Burst: 1}},
		{"  5/s   burst  9 ", config.Rate{PerSecond: 5, Burst: 9}},
		{"0", config.Rate{}},
		{"off", config.Rate{}},
	}
	for _, tt := range good {
		got, err := config.ParseRate("REDRESS_RATE_INTAKE", tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRate(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, why string }{
		{"", "is not a rate"},
		{"fast", "has no unit"},
		{"20", "has no unit"},
		{"20/day", "has no unit"},
		{"20 /s", "is not a rate"},
		{"20/s burst", "is not a rate"},
		{"20/s limit 40", "is not a rate"},
		{"20/s burst 40 now", "is not a rate"},
		{"0/s", "above 0"},
		{"-1/s", "above 0"},
		{"NaN/s", "above 0"},
		{"Inf/s", "above 0"},
		{"1e999/s", "above 0"},
		{"x/s", "above 0"},
		{"20/s burst 0", "whole burst"},
		{"20/s burst 2.5", "whole burst"},
		{"20/s burst -3", "whole burst"},
	}
	for _, tt := range bad {
		_, err := config.ParseRate("REDRESS_RATE_CUSTOMER", tt.in)
		if err == nil || !strings.Contains(err.Error(), "REDRESS_RATE_CUSTOMER") || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("ParseRate(%q) = %v; want an error naming REDRESS_RATE_CUSTOMER that says %q", tt.in, err, tt.why)
		}
	}
}

func TestParseProxies(t *testing.T) {
	nets, err := config.ParseProxies(" 10.0.0.0/8, 192.0.2.7,2001:db8::/32,2001:db8::1 ,")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range nets {
		got = append(got, n.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.0.2.7/32 2001:db8::/32 2001:db8::1/128" {
		t.Errorf("proxies = %v", got)
	}
	if nets, err := config.ParseProxies(""); err != nil || len(nets) != 0 {
		t.Errorf("no proxies = %v, %v", nets, err)
	}
	for _, in := range []string{"proxy.internal", "10.0.0.0/33", "10.0.0.1:80"} {
		if _, err := config.ParseProxies(in); err == nil || !strings.Contains(err.Error(), "REDRESS_TRUSTED_PROXIES") {
			t.Errorf("ParseProxies(%q) = %v; want an error naming REDRESS_TRUSTED_PROXIES", in, err)
		}
	}
}

// finish loads the configuration as `redress` does, from an environment
// that holds only env of the variables it reads.
func finish(t *testing.T, env map[string]string) (*config.Config, error) {
	t.Helper()
	for _, name := range []string{"REDRESS_RATE_INTAKE", "REDRESS_RATE_CUSTOMER", "REDRESS_RATE_TOKEN_MISSES",
		"REDRESS_RATE_ANALYTICS", "REDRESS_RATE_MAIL", "REDRESS_RATE_FORM", "REDRESS_TRUSTED_PROXIES", "REDRESS_POLICY", "REDRESS_API_KEYS"} {
		t.Setenv(name, env[name])
	}
	cfg := config.Flags(flag.NewFlagSet("redress", flag.ContinueOnError))
	return cfg, cfg.Finish()
}

func TestRateLimitsAreOnByDefault(t *testing.T) {
	cfg, err := finish(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config.RateLimits{Intake: config.Rate{PerSecond: 20, Burst: 100}, Customer: config.Rate{PerSecond: 1, Burst: 30},
		TokenMisses: config.Rate{PerSecond: 20.0 / 3600, Burst: 10}, Analytics: config.Rate{PerSecond: 1, Burst: 60},
		Mail: config.Rate{PerSecond: 30.0 / 3600, Burst: 10}, Form: config.Rate{PerSecond: 10.0 / 3600, Burst: 5}}
	if cfg.RateLimits != want || config.DefaultRateLimits() != want || len(cfg.Proxies) != 0 {
		t.Errorf("defaults: %+v, DefaultRateLimits %+v, proxies %v; want %+v and none",
			cfg.RateLimits, config.DefaultRateLimits(), cfg.Proxies, want)
	}
}

func TestRateSettingsFromTheEnvironment(t *testing.T) {
	cfg, err := finish(t, map[string]string{"REDRESS_RATE_ANALYTICS": "0", "REDRESS_RATE_CUSTOMER": "2/s burst 5",
		"REDRESS_TRUSTED_PROXIES": "10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.RateLimits.Analytics.Off() || cfg.RateLimits.Customer != (config.Rate{PerSecond: 2, Burst: 5}) ||
		cfg.RateLimits.Intake.Off() || len(cfg.Proxies) != 1 {
		t.Errorf("limits %+v, proxies %v", cfg.RateLimits, cfg.Proxies)
	}

	for variable, value := range map[string]string{"REDRESS_RATE_INTAKE": "lots", "REDRESS_RATE_TOKEN_MISSES": "5/s burst x",
		"REDRESS_TRUSTED_PROXIES": "everyone"} {
		t.Run(variable, func(t *testing.T) {
			if _, err := finish(t, map[string]string{variable: value}); err == nil || !strings.Contains(err.Error(), variable) {
				t.Errorf("%s=%q: %v; want an error naming it", variable, value, err)
			}
		})
	}
}
