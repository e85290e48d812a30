package main

import (
	"errors"

	"github.com/redress-dev/redress/config"
)

// devAddr is where the dev stack's API listens unless told otherwise: this
// machine only, since its keys and accounts are known to everyone.
const devAddr = "127.0.0.1:8080"

// devSettings fills in what the dev stack may take for granted on a
// developer's own machine, and refuses what it must not do elsewhere: with
// a database of the developer's choosing (DATABASE_URL) it makes no dev
// keys, whose secrets are their names, and it reports whether it may make
// the dev accounts, whose password is known. chosen tells whether a
// setting was given by its flag or its variable.
func devSettings(cfg *config.Config, chosen func(flag, variable string) bool) (devAccounts bool, err error) {
	if !chosen("http-addr", "REDRESS_HTTP_ADDR") {
		cfg.HTTPAddr = devAddr
	}
	ownDatabase := cfg.DatabaseURL == ""
	if len(cfg.Keys) == 0 && cfg.Only != "infra" { // infra makes random keys of its own
		if !ownDatabase {
			return false, errors.New("redress dev with DATABASE_URL needs REDRESS_API_KEYS: the dev keys, whose secrets are " +
				"their names, are only for the dev stack's own PostgreSQL")
		}
		cfg.Keys = config.DevKeys()
	}
	return ownDatabase, nil
}
