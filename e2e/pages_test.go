package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// The customer's pages in a real browser: the tracking page in English,
// where the customer confirms the resolution; the survey page in Chinese,
// where they score it; the staff API then shows the score.
func TestCustomerPagesInABrowser(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: lifecyclePolicy})
	c := file(t, s, newComplaint("crm-pages"))
	ok(t, "update", s.Do("POST", "/v1/complaints/"+c.ID+"/updates", "dev-agent",
		map[string]any{"message": "We found your parcel at the depot"}), 200)
	ok(t, "resolve", s.Do("POST", "/v1/complaints/"+c.ID+"/resolve", "dev-agent", map[string]any{
		"resolution_type": "credit", "summary": "Redelivered, with a credit", "root_cause": "logistics",
		"compensation": map[string]any{"amount": 15, "currency": "CNY"}}), 200)

	en := redresstest.StartBrowser(t, "en")
	en.Open(s.BaseURL + "/track/" + c.TrackingToken)
	if got := en.Text("#status"); got != "Resolved" {
		t.Errorf("status shown = %q", got)
	}
	page := en.Text("main")
	for _, want := range []string{"Parcel never arrived", "We found your parcel at the depot", "Redelivered, with a credit", "15.00 CNY"} {
		if !strings.Contains(page, want) {
			t.Errorf("the tracking page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "logistics") {
		t.Error("the tracking page shows the internal root cause")
	}
	shots := os.Getenv("REDRESS_SCREENSHOTS") // a folder to keep screenshots in, for people
	if shots != "" {
		en.Screenshot(filepath.Join(shots, "track-en.png"))
	}
	en.Click("form[action$='/confirm'] button")
	en.WaitForText("#status", "Closed")

	token := surveyToken(t, s, c.ID)
	zh := redresstest.StartBrowser(t, "zh-CN")
	zh.Open(s.BaseURL + "/survey/" + token)
	if got := zh.Text("h1"); got != "您对我们的处理满意吗？" {
		t.Errorf("survey title in Chinese = %q", got)
	}
	zh.Click("input[name=score][value='1']")
	zh.Type("#comment", "送货太慢")
	if shots != "" {
		zh.Screenshot(filepath.Join(shots, "survey-zh.png"))
	}
	zh.Click("#send")
	zh.WaitForText("main", "感谢您的反馈")
	got := s.Complaint(c.ID)
	if got.Survey.Status != redress.SurveyAnswered || got.Survey.Score == nil || *got.Survey.Score != 1 || got.Survey.Comment != "送货太慢" {
		t.Errorf("survey through the page = %+v", got.Survey)
	}

	zh.Open(s.BaseURL + "/survey/" + token)
	zh.WaitForText("main", "此问卷链接已使用或已过期")
	r := s.Do("GET", "/survey/"+token, "", nil)
	if r.Status != http.StatusGone || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("used survey page = %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := s.Do("GET", "/track/not-a-token", "", nil); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "not valid") {
		t.Errorf("unknown tracking page = %d", r.Status)
	}
}
