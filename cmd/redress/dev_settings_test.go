package main

import (
	"strings"
	"testing"

	"github.com/redress-dev/redress/config"
)

// The dev stack listens on this machine only unless told otherwise, and
// with a database of the developer's own it makes neither the dev keys,
// whose secrets are their names, nor the dev accounts, whose password is
// known.
func TestDevSettingsStayOnTheDevelopersMachine(t *testing.T) {
	none := func(string, string) bool { return false }
	cfg := &config.Config{HTTPAddr: ":8080"}
	accounts, err := devSettings(cfg, none)
	if err != nil || cfg.HTTPAddr != devAddr || !accounts || len(cfg.Keys) == 0 {
		t.Errorf("on its own cluster: listens on %s, accounts %v, %d keys, %v; want %s, accounts and the dev keys",
			cfg.HTTPAddr, accounts, len(cfg.Keys), err, devAddr)
	}

	chosen := &config.Config{HTTPAddr: "0.0.0.0:9090"}
	if _, err := devSettings(chosen, func(flag, _ string) bool { return flag == "http-addr" }); err != nil || chosen.HTTPAddr != "0.0.0.0:9090" {
		t.Errorf("an address given is kept: %s, %v", chosen.HTTPAddr, err)
	}

	external := &config.Config{HTTPAddr: ":8080", DatabaseURL: "postgres://db.internal/redress"}
	if _, err := devSettings(external, none); err == nil || !strings.Contains(err.Error(), "REDRESS_API_KEYS") || len(external.Keys) != 0 {
		t.Errorf("with DATABASE_URL and no keys: %v, %d keys; want a refusal naming REDRESS_API_KEYS", err, len(external.Keys))
	}
	keys, _ := config.ParseKeys("crm:intake:a-long-secret-0123456789")
	external.Keys = keys
	if accounts, err := devSettings(external, none); err != nil || accounts {
		t.Errorf("with DATABASE_URL and keys: accounts %v, %v; want no dev accounts", accounts, err)
	}
}
