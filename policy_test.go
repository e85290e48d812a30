package redress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParsePolicyOverridesDefaults(t *testing.T) {
	p, err := ParsePolicy([]byte(`
sla:
  P1: {ack_within: 2s, resolve_within: 10s}
  P2: {ack_within: 3s, resolve_within: 20s}
  P3: {ack_within: 4s, resolve_within: 30s}
  P4: {ack_within: 5s, resolve_within: 40s}
reopen_within: 90s
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.SLA[P1].AckWithin.D(); got != 2*time.Second {
		t.Errorf("P1 ack_within = %s, want 2s", got)
	}
	if got := p.ReopenWithin.D(); got != 90*time.Second {
		t.Errorf("reopen_within = %s, want 90s", got)
	}
	if got := p.Survey.RemindAfter.D(); got != 48*time.Hour {
		t.Errorf("survey.remind_after kept its default: got %s", got)
	}
}

func TestParsePolicyEmptyFileIsDefaults(t *testing.T) {
	p, err := ParsePolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.SLA[P3].ResolveWithin.D() != 120*time.Hour {
		t.Errorf("defaults lost: %+v", p.SLA)
	}
}

func TestParsePolicyNamesTheBadField(t *testing.T) {
	tests := []struct{ doc, field string }{
		{"sla: {P2: {ack_within: soon, resolve_within: 1h}}", "sla.P2.ack_within"},
		{"survey: {remind_after: 2 days}", "survey.remind_after"},
		{"sla: {P2: {ack_within: -1h, resolve_within: 1h}}", "sla.P2.ack_within"},
		{"sla: {P9: {ack_within: 1h, resolve_within: 1h}}", "sla.P9"},
		{"timezone: Mars/Olympus", "timezone"},
		{"timezone: Local", "timezone"}, // the host's zone, which workers need not share
		{"timezone: ''", "timezone"},
		{"ack_warning_at: 1.5", "ack_warning_at"},
		{"business_hours: {enabled: true, days: [mon], start: '18:00', end: '09:00'}", "business_hours"},
		{"business_hours: {days: [funday]}", "business_hours"},
		{"business_hours: {holidays: [tomorrow]}", "business_hours"},
		{"survey: {remind_after: 48h, expire_after: 24h}", "survey.expire_after"},
		{"winback: {offers: {gold: {kind: hug}}}", "winback.offers.gold"},
		{"campaign: {cron: 'daily'}", "campaign.cron"},
		{"campaign: {max_customers: 10001}", "campaign.max_customers"},
		{"escalation: [{level: 1, notify: a}]", "escalation"},
		{"unknown_field: 1", "unknown_field"},
		{"loyalty: {currency: yuan}", "loyalty.currency"},
		{"sla_by_tier: {platinum: {P2: {ack_within: 1h}}}", "sla_by_tier.platinum"},
		{"winback: {coupon_only: true}", "winback.coupon_only"}, // diamond's offer is a credit
		{"sla_by_tier: {gold: {P7: {ack_within: 1h}}}", "sla_by_tier.gold.P7"},
		{"sla_by_tier: {gold: {P2: {}}}", "sla_by_tier.gold.P2"},
		{"loyalty: {tiers: {gold: {spend_12m: 1000}}}", "loyalty.tiers.gold"}, // below silver's 2000
		{"loyalty: {tiers: {platinum: {spend_12m: 1}}}", "loyalty.tiers.platinum"},
		{"loyalty: {points_per_unit: {gold: -1}}", "loyalty.points_per_unit.gold"},
		{"loyalty: {downgrade_after: soon}", "loyalty.downgrade_after"},
		{"loyalty: {cron: 'nightly'}", "loyalty.cron"},
	}
	for _, tt := range tests {
		_, err := ParsePolicy([]byte(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("ParsePolicy(%q) = %v, want an error naming %q", tt.doc, err, tt.field)
		}
	}
}

func TestLoadPolicyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(path, []byte("reopen_within: 1m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.ReopenWithin.D() != time.Minute {
		t.Errorf("reopen_within = %s", p.ReopenWithin)
	}
	if _, err := LoadPolicy(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("a missing file must fail")
	}
}

func TestForTierAppliesTheTiersRows(t *testing.T) {
	p, err := ParsePolicy([]byte("sla_by_tier: {diamond: {P2: {ack_within: 4h}, P1: {resolve_within: 8h}}}"))
	if err != nil {
		t.Fatal(err)
	}
	kept, rows := p.ForTier(TierDiamond)
	if kept.SLA[P2].AckWithin.D() != 4*time.Hour || kept.SLA[P2].ResolveWithin.D() != 72*time.Hour ||
		kept.SLA[P1].ResolveWithin.D() != 8*time.Hour || kept.SLA[P1].AckWithin.D() != time.Hour ||
		rows[P2] != "sla_by_tier.diamond.P2" || rows[P3] != "sla.P3" || kept.SLAByTier != nil {
		t.Errorf("diamond keeps %+v, rows %v", kept.SLA, rows)
	}
	if gold, rows := p.ForTier(TierGold); gold.SLA[P2].AckWithin.D() != 24*time.Hour || rows[P2] != "sla.P2" {
		t.Errorf("gold keeps %+v, rows %v", gold.SLA, rows)
	}
	if p.SLA[P2].AckWithin.D() != 24*time.Hour {
		t.Errorf("ForTier changed the policy's own table: %+v", p.SLA)
	}
}
