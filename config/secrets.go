package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redress-dev/redress/crypt"
)

// The production commands refuse secrets that anyone could know: the
// examples in the documentation (every one contains exampleMarker) and
// secrets too short to resist guessing.
const (
	exampleMarker  = "change-me"
	minKeySecret   = 24
	minTokenSecret = 32
)

const (
	makeKeys = "set it to name:role:secret entries separated by commas, " +
		"each secret made with: openssl rand -base64 24 (e.g. crm:intake:<secret>)"
	makeSharedSecret = "make one with: openssl rand -base64 32, and give the API and the worker the same"
)

// RequireAPISecrets checks the secrets the API serves with: staff keys of its
// own, and those it shares with the worker.
func (c *Config) RequireAPISecrets() error {
	if len(c.Keys) == 0 {
		return errors.New("config: REDRESS_API_KEYS is empty, so no one could call the API; " + makeKeys)
	}
	for _, k := range c.Keys {
		if flaw := secretFlaw(k.Secret, minKeySecret); flaw != "" {
			return fmt.Errorf("config: REDRESS_API_KEYS: the secret of key %q %s; %s", k.Name, flaw, makeKeys)
		}
	}
	return c.RequireWorkerSecrets()
}

// RequireWorkerSecrets checks the secrets the worker needs and shares with
// the API: the token secret that derives customers' links and the payload
// keys that encrypt their data in Temporal.
func (c *Config) RequireWorkerSecrets() error {
	if flaw := secretFlaw(c.TokenSecret, minTokenSecret); flaw != "" {
		return fmt.Errorf("config: REDRESS_TOKEN_SECRET %s; %s", flaw, makeSharedSecret)
	}
	for _, list := range []struct{ variable, value string }{{"REDRESS_PAYLOAD_KEYS", c.PayloadKeys}, {"REDRESS_DATA_KEYS", c.DataKeys}} {
		keys, err := crypt.ParseKeys(list.variable, list.value)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		for _, k := range keys {
			if strings.Contains(strings.ToLower(string(k.Secret)), exampleMarker) {
				return fmt.Errorf("config: %s: key %q is the documentation's example; %s", list.variable, k.ID, makeSharedSecret)
			}
		}
	}
	if c.WebhookURL != "" && strings.Contains(strings.ToLower(c.WebhookSecret), exampleMarker) {
		return fmt.Errorf("config: REDRESS_WEBHOOK_SECRET is an example (it contains %q); make one with: openssl rand -base64 32, and give it to the webhook's receiver", exampleMarker)
	}
	return nil
}

// secretFlaw says why a secret must not be used, or returns "".
func secretFlaw(secret string, minLen int) string {
	switch {
	case secret == "":
		return "is not set"
	case strings.Contains(strings.ToLower(secret), exampleMarker):
		return fmt.Sprintf("is an example (it contains %q)", exampleMarker)
	case len(secret) < minLen:
		return fmt.Sprintf("is %d characters long; it must have at least %d", len(secret), minLen)
	}
	return ""
}
