package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/tokens"
)

// codecSessions issue and check the cookie that lets a signed-in
// supervisor's browser use the codec endpoint from the Web UI. The cookie
// holds a random token; PostgreSQL keeps its hash with the key's name and a
// mark of the key's secret, never the key. A session ends with its time, at
// sign-out (everywhere: a copied cookie too), when an admin ends them all,
// or as soon as its key is no longer configured, with that secret, in a
// role that may decode.
type codecSessions struct {
	db     *postgres.DB
	keys   keyring
	secure bool // sent over HTTPS only, when the service's public URL is HTTPS
}

const (
	codecCookie     = "redress_codec"
	codecSessionTTL = 8 * time.Hour // a working day
)

func newCodecSessions(db *postgres.DB, keys keyring, publicURL string) codecSessions {
	return codecSessions{db: db, keys: keys, secure: strings.HasPrefix(publicURL, "https://")}
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

func (cs codecSessions) issue(c echo.Context, key config.APIKey, now time.Time) error {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand never fails
	token := base64.RawURLEncoding.EncodeToString(raw)
	if err := cs.db.StartCodecSession(c.Request().Context(), tokens.Hash(token), key.Name, keyMark(key), now.Add(codecSessionTTL)); err != nil {
		return err
	}
	c.SetCookie(cs.cookie(token, int(codecSessionTTL.Seconds())))
	return nil
}

// end ends the browser's session, in PostgreSQL and in the browser.
func (cs codecSessions) end(c echo.Context) error {
	c.SetCookie(cs.cookie("", -1))
	if cookie, err := c.Cookie(codecCookie); err == nil && cookie.Value != "" {
		return cs.db.EndCodecSession(c.Request().Context(), tokens.Hash(cookie.Value))
	}
	return nil
}

// verify returns the key a live session was issued to.
func (cs codecSessions) verify(ctx context.Context, c echo.Context) (config.APIKey, bool, error) {
	cookie, err := c.Cookie(codecCookie)
	if err != nil || cookie.Value == "" {
		return config.APIKey{}, false, nil
	}
	name, mark, found, err := cs.db.CodecSession(ctx, tokens.Hash(cookie.Value))
	if err != nil || !found {
		return config.APIKey{}, false, err
	}
	for _, key := range cs.keys {
		if key.Name == name && keyMark(key) == mark && slices.Contains(codecRoles, key.Role) {
			return key, true, nil
		}
	}
	return config.APIKey{}, false, nil
}
