package redress

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		subject, description string
		want                 Category
	}{
		{"Kettle caught fire", "The base started to smoke and then burned my hand", CategorySafety},
		{"充电器冒烟", "使用时突然冒烟，差点起火", CategorySafety},
		{"Charged twice", "I was double charged for one order and want a refund", CategoryBilling},
		{"重复扣款", "同一订单被扣款两次，要求退款", CategoryBilling},
		{"Parcel never arrived", "The courier says delivered but no package", CategoryDelivery},
		{"快递三天未收到", "物流一直没有更新", CategoryDelivery},
		{"Screen cracked", "The phone arrived with a cracked screen and is defective", CategoryProductQuality},
		{"质量太差", "用了两天就坏了", CategoryProductQuality},
		{"Rude staff", "The agent at the store was rude and ignored me", CategoryService},
		{"客服态度差", "客服不理我", CategoryService},
		{"You leaked my personal data", "My personal information was shared", CategoryPrivacy},
		{"Washing machine leaks", "Water leaks from under it every time it spins", CategoryOther}, // a leak of water is no privacy matter
		{"Chocolate order", "I'd like to say the chocolate was fine", CategoryOther},              // "late" inside a word does not count
		{"Hello", "Just wanted to talk", CategoryOther},
		{"Kettle smokes", "The base of my kettle smokes when I use it", CategorySafety}, // an inflected keyword
		{"Charger", "It sparked and the plug melted", CategorySafety},
		{"Two bills", "Two bills for one order", CategoryBilling},
		{"Billions", "Our firm handles billions of orders", CategoryOther}, // a longer word is not the keyword

		{"Refund for a late parcel", "It was a fire hazard", CategorySafety}, // safety outranks more hits elsewhere
	}
	for _, tt := range tests {
		if got := Classify(tt.subject, tt.description); got != tt.want {
			t.Errorf("Classify(%q, %q) = %s, want %s", tt.subject, tt.description, got, tt.want)
		}
	}
}
