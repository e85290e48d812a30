package redress

import "testing"

func TestDerivePriority(t *testing.T) {
	tests := []struct {
		severity Severity
		category Category
		tier     Tier
		want     Priority
	}{
		{SeverityCritical, CategoryService, TierStandard, P1},
		{SeverityHigh, CategoryService, TierStandard, P2},
		{SeverityMedium, CategoryDelivery, TierStandard, P3},
		{SeverityLow, CategoryBilling, TierStandard, P4},
		{"", CategoryBilling, TierStandard, P3},              // no severity counts as medium
		{SeverityLow, CategorySafety, TierStandard, P1},      // any safety complaint is P1
		{SeverityLow, CategorySafety, TierDiamond, P1},       // and never above it
		{SeverityLow, CategoryPrivacy, TierStandard, P2},     // privacy is at least P2
		{SeverityLow, CategoryBilling, TierGold, P3},         // gold goes one up
		{SeverityLow, CategoryBilling, TierDiamond, P3},      // diamond too
		{SeverityLow, CategoryBilling, TierSilver, P4},       // silver does not
		{SeverityHigh, CategoryService, TierGold, P1},        // one up from P2
		{SeverityCritical, CategoryService, TierDiamond, P1}, // P1 stays P1
		{SeverityMedium, CategoryPrivacy, TierGold, P1},      // privacy floor, then tier
	}
	for _, tt := range tests {
		if got := DerivePriority(tt.severity, tt.category, tt.tier); got != tt.want {
			t.Errorf("DerivePriority(%q, %q, %q) = %s, want %s", tt.severity, tt.category, tt.tier, got, tt.want)
		}
	}
}
