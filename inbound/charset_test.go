package inbound_test

import (
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/redress-dev/redress/inbound"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodedWord is s as an RFC 2047 "B" word in the named charset.
func encodedWord(t *testing.T, charset string, enc encoding.Encoding, s string) string {
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString(encode(t, enc, s)) + "?="
}

func TestParseChineseCharsets(t *testing.T) {
	const (
		simplified  = "您好，我买的电水壶坏了，请帮我换一个。"
		traditional = "您好，我買的電水壺壞了，請幫我換一個。"
	)
	gbk := simplifiedchinese.GBK
	tests := []struct {
		name          string
		raw           string
		subject, from string
		text          string
	}{{
		name: "GBK body, 8bit, GB2312 subject and name",
		raw: "From: " + encodedWord(t, "GB2312", gbk, "王小明") + " <wang@example.cn>\r\n" +
			"Subject: " + encodedWord(t, "GB2312", gbk, "电水壶坏了") + "\r\n" +
			"Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
			string(encode(t, gbk, simplified)) + "\r\n",
		subject: "电水壶坏了", from: "王小明", text: simplified,
	}, {
		name: "GBK body, base64, labelled gb2312 as Chinese clients do",
		raw: "From: wang@example.cn\r\nSubject: " + encodedWord(t, "gbk", gbk, "回复：电水壶") + "\r\n" +
			"Content-Type: text/plain; charset=\"gb2312\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString(encode(t, gbk, simplified)) + "\r\n",
		subject: "回复：电水壶", text: simplified,
	}, {
		name: "GB18030 body",
		raw: "From: wang@example.cn\r\nSubject: =?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte("水壶")) + "?=\r\n" +
			"Content-Type: text/plain; charset=GB18030\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString(encode(t, simplifiedchinese.GB18030, simplified+"😀")) + "\r\n",
		subject: "水壶", text: simplified + "😀",
	}, {
		name: "Big5 body and subject",
		raw: "From: " + encodedWord(t, "big5", traditionalchinese.Big5, "陳大文") + " <chan@example.hk>\r\n" +
			"Subject: " + encodedWord(t, "big5", traditionalchinese.Big5, "電水壺壞了") + "\r\n" +
			"Content-Type: text/plain; charset=big5\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
			string(encode(t, traditionalchinese.Big5, traditional)) + "\r\n",
		subject: "電水壺壞了", from: "陳大文", text: traditional,
	}, {
		name: "GBK HTML",
		raw: "From: wang@example.cn\r\nSubject: x\r\nContent-Type: text/html; charset=GBK\r\n\r\n" +
			string(encode(t, gbk, "<div>"+simplified+"<br>谢谢</div>")) + "\r\n",
		subject: "x", text: simplified + "\n谢谢",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseString(t, tt.raw)
			if m.Subject != tt.subject || m.From.Name != tt.from || m.Text != tt.text {
				t.Errorf("Subject %q, From.Name %q, Text %q; want %q, %q, %q", m.Subject, m.From.Name, m.Text, tt.subject, tt.from, tt.text)
			}
		})
	}
}

func TestParseChineseFilenames(t *testing.T) {
	gbkName := encodedWord(t, "GBK", simplifiedchinese.GBK, "发票.pdf")
	raw := "From: wang@example.cn\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件\r\n" +
		// Outlook and Foxmail put encoded words in quotes, against RFC 2047.
		"--x\r\nContent-Type: application/pdf; name=\"" + gbkName + "\"\r\n" +
		"Content-Disposition: attachment; filename=\"" + gbkName + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n" +
		// RFC 2231 continuations, and a Windows path to strip.
		"--x\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment;\r\n" +
		" filename*0*=UTF-8''C%3A%5CUsers%5C%E5%BC%A0%5C;\r\n filename*1*=%E7%85%A7%E7%89%87.jpg\r\n\r\njpeg\r\n--x--\r\n"
	var names []string
	m, err := inbound.Parse(strings.NewReader(raw), func(a inbound.Attachment, _ io.Reader) error {
		names = append(names, a.Filename)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || names[0] != "发票.pdf" || names[1] != "照片.jpg" || m.Text != "见附件" {
		t.Errorf("filenames %q, Text %q", names, m.Text)
	}
}
