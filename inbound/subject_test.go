package inbound_test

import (
	"testing"

	"github.com/redress-dev/redress/inbound"
)

func TestCleanSubject(t *testing.T) {
	tests := []struct{ subject, want string }{
		{"Order 12345 arrived damaged", "Order 12345 arrived damaged"},
		{"Re: Order 12345", "Order 12345"},
		{"RE: Fwd: re:Order 12345", "Order 12345"},
		{"FW: Fw: Order", "Order"},
		{"Re[2]: Order", "Order"},
		{"回复: 订单未收到", "订单未收到"},
		{"回复：订单未收到", "订单未收到"},
		{"答复: 回复：转发: 订单未收到", "订单未收到"},
		{"回覆：轉寄：訂單", "訂單"},
		{"  Re :  spaced  ", "spaced"},
		{"Regarding my order", "Regarding my order"},
		{"Refund: not received", "Refund: not received"},
		{"Re:", ""},
	}
	for _, tt := range tests {
		if got := inbound.CleanSubject(tt.subject); got != tt.want {
			t.Errorf("CleanSubject(%q) = %q, want %q", tt.subject, got, tt.want)
		}
	}
}
