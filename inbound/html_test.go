package inbound_test

import "testing"

func TestHTMLBodyAsText(t *testing.T) {
	tests := []struct{ name, html, text string }{
		{"entities", "<p>5 &lt; 6 &amp;&amp; &quot;caf&eacute;&quot; &#8364;3&nbsp;&nbsp;off</p>", `5 < 6 && "café" €3 off`},
		{"br and paragraphs", "<p>one<br>two<br><br>three</p><p>four</p>", "one\ntwo\n\nthree\n\nfour"},
		{"gmail divs", "<div>Hello</div><div><br></div><div>Thanks</div>", "Hello\n\nThanks"},
		{"inline elements keep their spaces", "I was <b>charged</b> <i>twice</i>, not<span>once</span>.", "I was charged twice, notonce."},
		{"source white space collapses", "<p>\n  line\n\n\n   wrapped\t here  </p>", "line wrapped here"},
		{"head, title, style, script dropped", "<html><head><title>T</title><style>p{}</style></head><body><script>x()</script>kept</body></html>", "kept"},
		{"a head left open ends at body", "<head><meta charset=utf-8><body>kept", "kept"},
		{"blank lines collapse", "<p>a</p><br><br><br><p>b</p>", "a\n\nb"},
		{"blockquotes quoted", "<p>mine</p><blockquote>theirs<br>more<blockquote>older</blockquote></blockquote>", "mine\n\n> theirs\n> more\n\n> > older"},
		{"pre keeps white space", "<pre>a  b\n  c</pre>after", "a  b\n  c\n\nafter"},
		{"lists", "<ul><li>one</li><li>two</li></ul>", "- one\n- two"},
		{"table cells", "<table><tr><td>Order</td><td>12345</td></tr><tr><td>Total</td><td>49.99</td></tr></table>", "Order 12345\nTotal 49.99"},
		{"comments dropped", "<!--[if mso]>x<![endif]-->text<!-- note -->", "text"},
		{"chinese", "<div>您好，</div><div>订单&nbsp;12345&nbsp;没有收到。</div>", "您好，\n订单 12345 没有收到。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseString(t, "Content-Type: text/html; charset=utf-8\r\n\r\n"+tt.html)
			if m.Text != tt.text {
				t.Errorf("Text = %q, want %q", m.Text, tt.text)
			}
		})
	}
}
