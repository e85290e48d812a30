package slamodel

import (
	"flag"
	"strconv"
)

// FixedSeed is the seed `make test` checks with, so every run checks the
// same cases and a failure reproduces.
const FixedSeed = 20261123

// Checks sets rapid's case count and seed for a model test unless the
// command line chose them: `make test` checks n cases from FixedSeed, and
// `make fuzz` passes its own count and a fresh seed.
func Checks(n int) {
	chosen := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { chosen[f.Name] = true })
	if !chosen["rapid.checks"] {
		_ = flag.Set("rapid.checks", strconv.Itoa(n))
	}
	if !chosen["rapid.seed"] {
		_ = flag.Set("rapid.seed", strconv.Itoa(FixedSeed))
	}
}
