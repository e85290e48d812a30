package inbound_test

import (
	"testing"

	"github.com/redress-dev/redress/inbound"
)

func TestLanguage(t *testing.T) {
	tests := []struct{ text, want string }{
		{"My order never arrived.", "en"},
		{"我的订单还没有收到。", "zh"},
		{"我買的電水壺壞了。", "zh"},
		{"我的 MacBook Pro 屏幕坏了，型号 A2779，请尽快处理", "zh"},
		{"The kettle leaks and I want a refund.\n\nThanks,\nZhang San 张三", "en"},
		{"Order 12345 !!!", "en"},
		{"", "en"},
	}
	for _, tt := range tests {
		if got := inbound.Language(tt.text); got != tt.want {
			t.Errorf("Language(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
