package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress/config"
)

// A codec session holds for its key as configured when it was issued: not
// past its time, not for a key rotated under the same name, not for a key
// whose role no longer decodes, and not when tampered with.
func TestCodecSessionEnds(t *testing.T) {
	lead := config.APIKey{Name: "lead", Role: config.RoleSupervisor, Secret: "first-secret-0123456789abcdef"}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e := echo.New()
	issue := func(cs codecSessions) *http.Cookie {
		rec := httptest.NewRecorder()
		cs.issue(e.NewContext(httptest.NewRequest(http.MethodPost, "/codec/sign-in", nil), rec), lead, now)
		return rec.Result().Cookies()[0]
	}
	verify := func(cs codecSessions, cookie *http.Cookie, at time.Time) bool {
		req := httptest.NewRequest(http.MethodPost, "/codec/decode", nil)
		req.AddCookie(cookie)
		_, ok := cs.verify(e.NewContext(req, httptest.NewRecorder()), at)
		return ok
	}
	sessions := func(keys ...config.APIKey) codecSessions {
		return newCodecSessions("token-secret-0123456789abcdef-0123", newKeyring(keys), "http://localhost:8080")
	}
	cookie := issue(sessions(lead))

	if !verify(sessions(lead), cookie, now.Add(time.Hour)) {
		t.Fatal("a fresh session does not hold")
	}
	if verify(sessions(lead), cookie, now.Add(codecSessionTTL)) {
		t.Error("a session holds past its time")
	}
	rotated := lead
	rotated.Secret = "second-secret-0123456789abcdef"
	if verify(sessions(rotated), cookie, now.Add(time.Hour)) {
		t.Error("a session holds for a key rotated under the same name")
	}
	demoted := lead
	demoted.Role = config.RoleAgent
	if verify(sessions(demoted), cookie, now.Add(time.Hour)) {
		t.Error("a session holds for a key that may no longer decode")
	}
	tampered := *cookie
	tampered.Value = "x" + cookie.Value[1:]
	if verify(sessions(lead), &tampered, now.Add(time.Hour)) {
		t.Error("a tampered session holds")
	}
	other := newCodecSessions("another-token-secret-0123456789abc", newKeyring([]config.APIKey{lead}), "http://localhost:8080")
	if verify(other, cookie, now.Add(time.Hour)) {
		t.Error("a session holds under another token secret")
	}
}
