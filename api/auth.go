package api

import (
	"crypto/sha256"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/config"
)

// keyring finds a staff key by the hash of its secret, so the lookup takes
// the same time whichever key is presented.
type keyring map[[32]byte]config.APIKey

func newKeyring(keys []config.APIKey) keyring {
	k := keyring{}
	for _, key := range keys {
		k[sha256.Sum256([]byte(key.Secret))] = key
	}
	return k
}

// find returns the key whose secret is token.
func (k keyring) find(token string) (config.APIKey, bool) {
	key, ok := k[sha256.Sum256([]byte(token))]
	return key, ok
}

// bearerToken is the request's bearer token, "" when it has none.
func bearerToken(c echo.Context) string {
	token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	if !ok {
		return ""
	}
	return token
}

const callerKey = "caller"

// requireRole lets through requests whose bearer key has one of the roles.
func (s *Server) requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			token := bearerToken(c)
			if token == "" {
				return redress.Errorf(redress.EUNAUTHORIZED, "send a staff API key as Authorization: Bearer <key>")
			}
			key, err := s.keyWithRole(token, roles, "do this")
			if err != nil {
				return err
			}
			c.Set(callerKey, key)
			return next(c)
		}
	}
}

// keyWithRole finds the staff key a secret belongs to and checks that its
// role is one of roles; the refusal says what the role may not do.
func (s *Server) keyWithRole(secret string, roles []string, action string) (config.APIKey, error) {
	key, ok := s.keys.find(secret)
	if !ok {
		return key, redress.Errorf(redress.EUNAUTHORIZED, "the API key is not valid")
	}
	if !slices.Contains(roles, key.Role) {
		return key, redress.Errorf(redress.EFORBIDDEN, "the %s role may not %s; it needs one of: %s",
			key.Role, action, strings.Join(roles, ", "))
	}
	return key, nil
}

// caller is the staff key that made the request.
func caller(c echo.Context) config.APIKey {
	key, _ := c.Get(callerKey).(config.APIKey)
	return key
}
