package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
)

// codecSessions issue and check the cookie that lets a signed-in
// supervisor's browser use the codec endpoint from the Web UI. The cookie
// names the key, a mark of its secret and when the session ends, signed
// with a key derived from the token secret; it never holds the API key. A
// session ends with its time, at sign-out in that browser, or as soon as its
// key is no longer configured, with that secret, in a role that may decode.
type codecSessions struct {
	mac    []byte
	keys   keyring
	secure bool // sent over HTTPS only, when the service's public URL is HTTPS
}

const (
	codecCookie     = "redress_codec"
	codecSessionTTL = 8 * time.Hour // a working day
)

func newCodecSessions(tokenSecret string, keys keyring, publicURL string) codecSessions {
	m := hmac.New(sha256.New, []byte(tokenSecret))
	m.Write([]byte("redress codec session"))
	return codecSessions{mac: m.Sum(nil), keys: keys, secure: strings.HasPrefix(publicURL, "https://")}
}

func (cs codecSessions) sign(claims string) string {
	m := hmac.New(sha256.New, cs.mac)
	m.Write([]byte(claims))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (cs codecSessions) cookie(value string, maxAge int) *http.Cookie {
	// SameSite=Lax: the Web UI and the API are one site (the same host, or
	// subdomains of one domain), so the UI's fetch carries it; another site's
	// does not.
	return &http.Cookie{Name: codecCookie, Value: value, Path: "/codec", MaxAge: maxAge,
		HttpOnly: true, Secure: cs.secure, SameSite: http.SameSiteLaxMode}
}

// keyMark ties a session to the key's secret, not only its name: a key
// rotated under the same name ends the sessions of the old one.
func keyMark(key config.APIKey) string {
	sum := sha256.Sum256([]byte(key.Secret))
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}

func (cs codecSessions) issue(c echo.Context, key config.APIKey, now time.Time) {
	claims := key.Name + "|" + strconv.FormatInt(now.Add(codecSessionTTL).Unix(), 10) + "|" + keyMark(key)
	value := base64.RawURLEncoding.EncodeToString([]byte(claims)) + "." + cs.sign(claims)
	c.SetCookie(cs.cookie(value, int(codecSessionTTL.Seconds())))
}

func (cs codecSessions) end(c echo.Context) { c.SetCookie(cs.cookie("", -1)) }

// verify returns the key a valid session was issued to.
func (cs codecSessions) verify(c echo.Context, now time.Time) (config.APIKey, bool) {
	cookie, err := c.Cookie(codecCookie)
	if err != nil {
		return config.APIKey{}, false
	}
	encoded, mac, ok := strings.Cut(cookie.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(cs.sign(string(raw)))) {
		return config.APIKey{}, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return config.APIKey{}, false
	}
	until, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Unix() >= until {
		return config.APIKey{}, false
	}
	for _, key := range cs.keys {
		if key.Name == parts[0] && keyMark(key) == parts[2] && slices.Contains(codecRoles, key.Role) {
			return key, true
		}
	}
	return config.APIKey{}, false
}

func (s *Server) codecSignInPage(c echo.Context) error {
	return s.showCodecSignIn(c, http.StatusOK, "")
}

func (s *Server) showCodecSignIn(c echo.Context, status int, message string) error {
	words := pageWords(c)
	if key, ok := s.codecSessions.verify(c, time.Now()); ok && message == "" {
		message = words.Format("codec.signed_in_as", "Key", key.Name)
	}
	return s.renderPage(c, status, "codec_sign_in", pageData{Title: words.Text("codec.title"), Message: message})
}

func (s *Server) codecSignIn(c echo.Context) error {
	words := pageWords(c)
	key, err := s.keyWithRole(c.FormValue("key"), codecRoles, decodeAction)
	if err != nil {
		status := http.StatusUnauthorized
		if redress.ErrorCode(err) == redress.EFORBIDDEN {
			status = http.StatusForbidden
		}
		return s.showCodecSignIn(c, status, words.Format("codec.refused", "Reason", redress.ErrorMessage(err)))
	}
	s.codecSessions.issue(c, key, time.Now())
	return s.showCodecSignIn(c, http.StatusOK, words.Format("codec.signed_in_clear", "Key", key.Name))
}

func (s *Server) codecSignOut(c echo.Context) error {
	s.codecSessions.end(c)
	return s.showCodecSignIn(c, http.StatusOK, pageWords(c).Text("codec.signed_out"))
}
