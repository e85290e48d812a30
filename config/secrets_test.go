package config_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/redress-dev/redress/config"
)

// Real-looking secrets, each of the least length allowed or more.
const (
	goodKeys        = "crm:intake:3q2+7w9Zk1p0XcVbN8mLrT5y,ops:admin:Qm9vZGxlcy1vZi1yYW5kb20tYnl0ZXM="
	goodTokenSecret = "Zr0nT9vQ2mX8cL4kP7wB1yH6dF3sJ5gA" // 32
	goodPayloadKeys = "k1:2xv0m8b0cG2eN2m4Q0n1vYwZl6b3k9d8r7s6t5u4v3w="
	goodDataKeys    = "kek1:ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM="
)

// The examples that docker-compose.yml used to ship.
const (
	exampleTokenSecret = "change-me-to-a-long-random-secret"
	examplePayloadKeys = "k1:Y2hhbmdlLW1lLWNoYW5nZS1tZS1jaGFuZ2UtbWUtMzI="
	exampleKeys        = "crm:intake:change-me-intake,desk:agent:change-me-agent,lead:supervisor:change-me-supervisor,ops:admin:change-me-admin"
)

func TestProductionSecrets(t *testing.T) {
	tests := []struct {
		name                           string
		apiKeys, tokenSecret, payloads string
		dataKeys                       string
		variable                       string // the one the refusal must name; "" when accepted
		workerToo                      bool   // the worker refuses it as well
	}{
		{"real secrets", goodKeys, goodTokenSecret, goodPayloadKeys, goodDataKeys, "", true},
		{"example staff keys", exampleKeys, goodTokenSecret, goodPayloadKeys, goodDataKeys, "REDRESS_API_KEYS", false},
		{"one example staff key among real ones", goodKeys + ",desk:agent:change-me-agent-and-then-some", goodTokenSecret, goodPayloadKeys, goodDataKeys, "REDRESS_API_KEYS", false},
		{"staff key secret of 23 characters", "crm:intake:3q2+7w9Zk1p0XcVbN8mLrT5", goodTokenSecret, goodPayloadKeys, goodDataKeys, "REDRESS_API_KEYS", false},
		{"no staff keys", "", goodTokenSecret, goodPayloadKeys, goodDataKeys, "REDRESS_API_KEYS", false},
		{"example token secret", goodKeys, exampleTokenSecret, goodPayloadKeys, goodDataKeys, "REDRESS_TOKEN_SECRET", true},
		{"example token secret in capitals", goodKeys, "CHANGE-ME-TO-A-LONG-RANDOM-SECRET", goodPayloadKeys, goodDataKeys, "REDRESS_TOKEN_SECRET", true},
		{"token secret of 31 characters", goodKeys, goodTokenSecret[:31], goodPayloadKeys, goodDataKeys, "REDRESS_TOKEN_SECRET", true},
		{"no token secret", goodKeys, "", goodPayloadKeys, goodDataKeys, "REDRESS_TOKEN_SECRET", true},
		{"example payload key", goodKeys, goodTokenSecret, examplePayloadKeys, goodDataKeys, "REDRESS_PAYLOAD_KEYS", true},
		{"example payload key behind a real one", goodKeys, goodTokenSecret, goodPayloadKeys + "," + strings.Replace(examplePayloadKeys, "k1:", "k2:", 1), goodDataKeys, "REDRESS_PAYLOAD_KEYS", true},
		{"example payload key without its id", goodKeys, goodTokenSecret, strings.TrimPrefix(examplePayloadKeys, "k1:"), goodDataKeys, "REDRESS_PAYLOAD_KEYS", true},
		{"no payload key", goodKeys, goodTokenSecret, "", goodDataKeys, "REDRESS_PAYLOAD_KEYS", true},
		{"no data key", goodKeys, goodTokenSecret, goodPayloadKeys, "", "REDRESS_DATA_KEYS", true},
		{"example data key", goodKeys, goodTokenSecret, goodPayloadKeys, examplePayloadKeys, "REDRESS_DATA_KEYS", true},
		{"two data keys under one id", goodKeys, goodTokenSecret, goodPayloadKeys, goodDataKeys + "," + goodDataKeys, "REDRESS_DATA_KEYS", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("redress", flag.ContinueOnError)
			cfg := config.Flags(fs)
			if err := fs.Parse([]string{"-api-keys", tt.apiKeys, "-token-secret", tt.tokenSecret, "-payload-keys", tt.payloads,
				"-data-keys", tt.dataKeys}); err != nil {
				t.Fatal(err)
			}
			if err := cfg.Finish(); err != nil {
				t.Fatal(err)
			}
			checkRefusal(t, "api", cfg.RequireAPISecrets(), tt.variable, tt.apiKeys+tt.tokenSecret+tt.payloads+tt.dataKeys)
			workerVariable := ""
			if tt.workerToo {
				workerVariable = tt.variable
			}
			checkRefusal(t, "worker", cfg.RequireWorkerSecrets(), workerVariable, tt.apiKeys+tt.tokenSecret+tt.payloads+tt.dataKeys)
		})
	}
}

// checkRefusal wants err to name variable, say how to make a real secret and
// echo none of the secrets; or no error when variable is "".
func checkRefusal(t *testing.T, command string, err error, variable, secrets string) {
	t.Helper()
	if variable == "" {
		if err != nil {
			t.Errorf("%s refused: %v", command, err)
		}
		return
	}
	if err == nil {
		t.Fatalf("%s accepted it; want a refusal naming %s", command, variable)
	}
	msg := err.Error()
	if !strings.Contains(msg, variable) || !strings.Contains(msg, "openssl rand") {
		t.Errorf("%s: %q; want it to name %s and say how to make one (openssl rand)", command, msg, variable)
	}
	for _, secret := range strings.FieldsFunc(secrets, func(r rune) bool { return r == ',' || r == ':' }) {
		if len(secret) >= 16 && strings.Contains(msg, secret) {
			t.Errorf("%s: the message shows a secret: %q", command, msg)
		}
	}
}

// With a webhook configured, its secret may not be an example either.
func TestExampleWebhookSecretIsRefused(t *testing.T) {
	for _, tt := range []struct {
		url, secret string
		refused     bool
	}{
		{"https://hooks.example.com/redress", "change-me-webhook-secret", true},
		{"https://hooks.example.com/redress", "Zr0nT9vQ2mX8cL4kP7wB1yH6dF3sJ5gA", false},
		{"", "change-me-webhook-secret", false}, // no webhook, nothing signed with it
	} {
		fs := flag.NewFlagSet("redress", flag.ContinueOnError)
		cfg := config.Flags(fs)
		if err := fs.Parse([]string{"-token-secret", goodTokenSecret, "-payload-keys", goodPayloadKeys, "-data-keys", goodDataKeys,
			"-webhook-url", tt.url, "-webhook-secret", tt.secret}); err != nil {
			t.Fatal(err)
		}
		if err := cfg.Finish(); err != nil {
			t.Fatal(err)
		}
		variable := ""
		if tt.refused {
			variable = "REDRESS_WEBHOOK_SECRET"
		}
		checkRefusal(t, "worker", cfg.RequireWorkerSecrets(), variable, tt.secret)
	}
}
