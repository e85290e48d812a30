package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-dev/redress/redresstest"
)

// The published policies (SPEC section 13) in a real browser, in both
// languages: the list, a document with its version, and the tracking
// page's links to them; the complaint records the versions in force.
func TestPublishedPoliciesInABrowser(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: lifecyclePolicy})
	c := file(t, s, newComplaint("crm-policies"))
	var listed struct {
		Policies []struct {
			Name, Title, Version string
		} `json:"policies"`
	}
	ok(t, "policies", s.Do("GET", "/v1/policies", "", nil), 200).JSON(t, &listed)
	stored := s.Complaint(c.ID)
	if len(listed.Policies) != 4 || len(stored.PolicyVersions) != 4 {
		t.Fatalf("published %+v; the complaint records %v", listed.Policies, stored.PolicyVersions)
	}
	for _, p := range listed.Policies {
		if stored.PolicyVersions[p.Name] != p.Version {
			t.Errorf("the complaint records %s at %q, in force %q", p.Name, stored.PolicyVersions[p.Name], p.Version)
		}
	}
	shots := os.Getenv("REDRESS_SCREENSHOTS")

	en := redresstest.StartBrowser(t, "en")
	en.Open(s.BaseURL + "/track/" + c.TrackingToken)
	if rights := en.Text("#rights"); !strings.Contains(rights, "Refunds") || !strings.Contains(rights, "Warranty") {
		t.Errorf("the tracking page's rights: %q", rights)
	}
	en.Click("#rights a[href^='/policies/refund']")
	en.WaitForText("#policy", "30 days")
	if page := en.Text("main"); !strings.Contains(page, "version "+stored.PolicyVersions["refund"]) {
		t.Errorf("the refund policy shows no version:\n%s", page)
	}
	if shots != "" {
		en.Screenshot(filepath.Join(shots, "policy-en.png"))
	}

	zh := redresstest.StartBrowser(t, "zh-CN")
	zh.Open(s.BaseURL + "/policies")
	if got := zh.Text("h1"); got != "我们的政策" {
		t.Errorf("the list's title in Chinese = %q", got)
	}
	zh.Click("#policies a[href^='/policies/warranty']")
	zh.WaitForText("#policy", "12 个月")
	if shots != "" {
		zh.Screenshot(filepath.Join(shots, "policy-zh.png"))
	}
	ok(t, "an unknown policy", s.Do("GET", "/policies/nonsense", "", nil), 404)
	ok(t, "a name that cannot be one", s.Do("GET", "/policies/..%2f..%2fetc%2fpasswd", "", nil), 404)
}
