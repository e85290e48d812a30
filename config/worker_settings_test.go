package config

import (
	"flag"
	"strings"
	"testing"
)

// The numbers the worker and the dev stack read from the environment are
// checked at start-up: a bad one stops it with a message naming the
// variable, rather than falling back on the default unseen.
func TestNumberSettings(t *testing.T) {
	tests := []struct {
		variable, env string
		read          func(*Config) int
		want          int
		refused       bool
	}{
		{"REDRESS_WORKFLOW_CACHE", "", func(c *Config) int { return c.WorkflowCache }, 10_000, false},
		{"REDRESS_WORKFLOW_CACHE", "2000", func(c *Config) int { return c.WorkflowCache }, 2000, false},
		{"REDRESS_WORKFLOW_CACHE", "0", nil, 0, true},
		{"REDRESS_WORKFLOW_CACHE", "2k", nil, 0, true},
		{"REDRESS_TEMPORAL_SHARDS", "", func(c *Config) int { return c.TemporalShards }, 4, false},
		{"REDRESS_TEMPORAL_SHARDS", "16", func(c *Config) int { return c.TemporalShards }, 16, false},
		{"REDRESS_TEMPORAL_SHARDS", "four", nil, 0, true},
		{"REDRESS_TEMPORAL_SHARDS", "2000", nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.variable+"="+tt.env, func(t *testing.T) {
			t.Setenv(tt.variable, tt.env)
			c := Flags(flag.NewFlagSet("redress", flag.ContinueOnError))
			err := c.Finish()
			switch {
			case tt.refused && (err == nil || !strings.Contains(err.Error(), tt.variable)):
				t.Errorf("%v; want a refusal naming the variable", err)
			case !tt.refused && (err != nil || tt.read(c) != tt.want):
				t.Errorf("%v; want %d", err, tt.want)
			}
		})
	}
}
