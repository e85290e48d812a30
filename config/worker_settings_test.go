package config

import (
	"flag"
	"strings"
	"testing"
)

// The numbers the worker and the dev stack read from a flag or the
// environment are checked at start-up: a bad one stops it with a message
// naming the variable, rather than falling back on the default unseen. A
// flag overrides its variable, a bad variable included.
func TestNumberSettings(t *testing.T) {
	tests := []struct {
		variable, env string
		flags         []string
		read          func(*Config) int
		want          int
		refused       bool
	}{
		{"REDRESS_WORKFLOW_CACHE", "", nil, cache, 10_000, false},
		{"REDRESS_WORKFLOW_CACHE", "2000", nil, cache, 2000, false},
		{"REDRESS_WORKFLOW_CACHE", "0", nil, nil, 0, true},
		{"REDRESS_WORKFLOW_CACHE", "2k", nil, nil, 0, true},
		{"REDRESS_WORKFLOW_CACHE", "2k", []string{"-workflow-cache", "500"}, cache, 500, false},
		{"REDRESS_WORKFLOW_CACHE", "2000", []string{"-workflow-cache", "lots"}, nil, 0, true},
		{"REDRESS_TEMPORAL_SHARDS", "", nil, shards, 4, false},
		{"REDRESS_TEMPORAL_SHARDS", "16", nil, shards, 16, false},
		{"REDRESS_TEMPORAL_SHARDS", "four", nil, nil, 0, true},
		{"REDRESS_TEMPORAL_SHARDS", "2000", nil, nil, 0, true},
		{"REDRESS_TEMPORAL_SHARDS", "four", []string{"-temporal-shards", "8"}, shards, 8, false},
	}
	for _, tt := range tests {
		t.Run(tt.variable+"="+tt.env+strings.Join(tt.flags, " "), func(t *testing.T) {
			t.Setenv(tt.variable, tt.env)
			fs := flag.NewFlagSet("redress", flag.ContinueOnError)
			c := Flags(fs)
			if err := fs.Parse(tt.flags); err != nil {
				t.Fatal(err)
			}
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

func cache(c *Config) int  { return c.WorkflowCache }
func shards(c *Config) int { return c.TemporalShards }
