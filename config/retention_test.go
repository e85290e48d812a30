package config

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func TestRetentionSetting(t *testing.T) {
	tests := []struct {
		env     string
		want    time.Duration
		refused bool
	}{
		{"", 90 * 24 * time.Hour, false},
		{"720h", 30 * 24 * time.Hour, false},
		{"24h", 24 * time.Hour, false},
		{"1h", 0, true},
		{"90 days", 0, true},
	}
	for _, tt := range tests {
		t.Setenv("REDRESS_RETENTION", tt.env)
		c := Flags(flag.NewFlagSet("redress", flag.ContinueOnError))
		err := c.Finish()
		switch {
		case tt.refused && (err == nil || !strings.Contains(err.Error(), "REDRESS_RETENTION")):
			t.Errorf("REDRESS_RETENTION=%q: %v; want a refusal naming the variable", tt.env, err)
		case !tt.refused && (err != nil || c.Retention != tt.want):
			t.Errorf("REDRESS_RETENTION=%q: %v, %v; want %v", tt.env, c.Retention, err, tt.want)
		}
	}
}
