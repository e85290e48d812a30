package inbound_test

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/redress-dev/redress/inbound"
)

func TestTrimReply(t *testing.T) {
	tests := []struct{ name, text, reply string }{
		{"nothing to trim", "The lamp is broken.\n\nJane\n\n\n", "The lamp is broken.\n\nJane"},
		{"quoted lines", "Yes, order 12345.\n\n> What is your order number?\n> Redress", "Yes, order 12345."},
		{"Gmail", "Still waiting.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Redress <complaints@redress.example> wrote:\n\n> We are sorry.",
			"Still waiting."},
		{"Gmail, attribution wrapped", "Still waiting.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Redress Complaints Desk <\ncomplaints@redress.example> wrote:\n> We are sorry.",
			"Still waiting."},
		{"Apple Mail", "Thanks, that works.\n\nSent from my iPhone\n\n> On 1 Dec 2026, at 10:00, Redress <complaints@redress.example> wrote:\n> \n> Hello",
			"Thanks, that works."},
		{"Thunderbird", "Fine.\n\nOn 12/1/26 10:00 AM, Redress wrote:\n> Hello", "Fine."},
		{"Outlook", "Please call me.\n\n________________________________\nFrom: Redress <complaints@redress.example>\nSent: Tuesday, December 1, 2026 10:00 AM\nTo: Jane Doe <jane@example.com>\nSubject: Your complaint 7\n\nHello Jane,",
			"Please call me."},
		{"Outlook, original message rule", "Please call me.\n\n-----Original Message-----\nFrom: Redress\nSent: Tuesday\nSubject: 7\n\nHello",
			"Please call me."},
		{"Outlook plain text from HTML, bold keys", "Call me.\n\n*From:* Redress <complaints@redress.example>\n*Sent:* Tuesday\n*To:* Jane\n*Subject:* 7",
			"Call me."},
		{"Outlook for Mac, Date instead of Sent", "Call me.\n\nFrom: Redress <complaints@redress.example>\nDate: Tuesday, 1 December 2026 at 10:00\nTo: Jane\nSubject: 7",
			"Call me."},
		{"Get Outlook for iOS", "On my way.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n________________________________\nFrom: Redress", "On my way."},
		{"Chinese Outlook", "请尽快处理。\n\n发件人: Redress <complaints@redress.example>\n发送时间: 2026年12月1日 10:00\n收件人: 张三 <zhang@example.cn>\n主题: 您的投诉 7\n\n您好，",
			"请尽快处理。"},
		{"Chinese Outlook rule", "请尽快处理。\n\n-----原始邮件-----\n发件人: Redress\n发送时间: 2026年12月1日 10:00\n主题: 投诉", "请尽快处理。"},
		{"Foxmail, full-width colons", "已经收到，谢谢。\n\n发件人：\"Redress\"<complaints@redress.example>;\n发送时间：2026年12月1日(星期二) 上午10:00\n收件人：\"张三\"<zhang@example.cn>;\n主题：回复：订单问题",
			"已经收到，谢谢。"},
		{"QQ Mail", "还是没有收到货。\n\n\n------------------ 原始邮件 ------------------\n发件人: \"Redress\"<complaints@redress.example>;\n发送时间: 2026年12月1日(星期二) 上午10:00",
			"还是没有收到货。"},
		{"QQ Mail, non-breaking spaces", "还是没有。\n------------------\u00a0原始邮件\u00a0------------------\n发件人: Redress", "还是没有。"},
		{"QQ Mail in English", "Not yet.\n------------------ Original ------------------\nFrom: \"Redress\"<complaints@redress.example>;", "Not yet."},
		{"Gmail in Chinese", "我的订单还没到。\n\n在 2026年12月1日周二 10:00，张三 <zhang@example.cn> 写道：\n> 您好", "我的订单还没到。"},
		{"Gmail in Chinese, name first", "我的订单还没到。\n\nRedress <complaints@redress.example> 于2026年12月1日周二 10:00写道：\n\n> 您好",
			"我的订单还没到。"},
		{"Gmail in Chinese, wrapped", "我的订单还没到。\n\nRedress <complaints@redress.example> 于2026年12月1日周二\n上午10:00写道：\n> 您好", "我的订单还没到。"},
		{"163", "退款还没到账。\n\n在 2026-12-01 10:00:00，\"张三\" <zhang@163.com> 写道：\n>您好", "退款还没到账。"},
		{"signature delimiter", "Broken again.\n\n-- \nJane Doe\nACME Ltd", "Broken again."},
		{"signature delimiter, space lost", "Broken again.\n--\nJane Doe", "Broken again."},
		{"iPhone in Chinese", "收到了。\n\n发自我的iPhone\n\n> 在 2026年12月1日，10:00，Redress <complaints@redress.example> 写道：", "收到了。"},
		{"iPhone in Chinese, other wording", "收到了。\n\n从我的 iPhone 发送", "收到了。"},
		{"NetEase Mail Master", "好的\n\n发自网易邮箱大师", "好的"},
		{"all of it quoted: kept whole", "> only a quote\n> nothing else", "> only a quote\n> nothing else"},
		{"only a signature: kept whole", "-- \nJane", "-- \nJane"},
		{"a sentence ending in wrote: stays", "On Monday your agent wrote:\nthat it would be fixed. It was not.", "On Monday your agent wrote:\nthat it would be fixed. It was not."},
		{"a From: line alone stays", "From: my neighbour's house, the parcel was returned.\nPlease resend.", "From: my neighbour's house, the parcel was returned.\nPlease resend."},
		{"CRLF lines", "Fine.\r\n\r\n> quoted\r\n", "Fine."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inbound.TrimReply(tt.text); got != tt.reply {
				t.Errorf("TrimReply(%q)\n = %q\nwant %q", tt.text, got, tt.reply)
			}
		})
	}
}

// Lines that start quoted history, mixed into drawn text so that the property
// meets them often.
var historyLines = []string{
	"> quoted", ">", "-- ", "--", "-----Original Message-----", "------------------ 原始邮件 ------------------",
	"On Tue, Dec 1, 2026 at 10:00 AM Redress <r@x.example> wrote:", "On Tue, Dec 1, 2026 at 10:00 AM Redress <", "r@x.example> wrote:",
	"在 2026年12月1日周二 10:00，张三 <a@b.c> 写道：", "在 2026-12-01 10:00:00，", "\"张三\" <a@b.c> 写道：",
	"From: Redress", "Sent: Tuesday", "To: Jane", "Subject: 7", "发件人: Redress", "发送时间: 2026年12月1日", "主题: 投诉",
	"Sent from my iPhone", "发自我的iPhone", "从我的 iPhone 发送", "Get Outlook for iOS", "________________", "-----",
}

func drawText(t *rapid.T) string {
	line := rapid.OneOf(
		rapid.SampledFrom(historyLines),
		rapid.SampledFrom([]string{"", " ", "\t", "\u00a0", "\r", "Hello", "您好", "  indented", "trailing  "}),
		rapid.String(),
	)
	return strings.Join(rapid.SliceOf(line).Draw(t, "lines"), "\n")
}

func TestTrimReplyNeverLosesEverything(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		text := drawText(t)
		if strings.TrimSpace(text) != "" && inbound.TrimReply(text) == "" {
			t.Fatalf("TrimReply(%q) is empty", text)
		}
	})
}

func TestTrimReplyIsIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		text := drawText(t)
		once := inbound.TrimReply(text)
		if twice := inbound.TrimReply(once); twice != once {
			t.Fatalf("TrimReply(%q)\n = %q\nbut again = %q", text, once, twice)
		}
	})
}
