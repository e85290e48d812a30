// Package crypt is Redress's encryption of personal data at rest: envelope
// encryption with a data key per customer, wrapped by the operator's
// key-encryption keys; text sealed with the row it belongs to as associated
// data; keyed hashes for exact lookups and searches; and file streams.
// Destroying a customer's data key makes every copy of what it sealed
// unreadable at once.
package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Key is one key-encryption key (or payload key) with its id.
type Key struct {
	ID     string
	Secret []byte // 32 bytes
}

// ParseKeys reads a list of keys as the variable named by variable holds
// them: comma-separated base64 32-byte secrets, each optionally prefixed
// "id:"; the first is the current one. A key without an id is named by its
// fingerprint.
func ParseKeys(variable, s string) ([]Key, error) {
	var keys []Key
	seen := map[string]bool{}
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		id, encoded, named := strings.Cut(entry, ":")
		if !named {
			encoded = id
		}
		secret, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil || len(secret) != 32 {
			return nil, fmt.Errorf("%s: each key must be 32 bytes in base64 (openssl rand -base64 32)", variable)
		}
		if !named {
			sum := sha256.Sum256(secret)
			id = hex.EncodeToString(sum[:4])
		}
		if seen[id] {
			return nil, fmt.Errorf("%s: two keys named %q; give each key its own id (id:key, each made with openssl rand -base64 32)", variable, id)
		}
		seen[id] = true
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s is empty: customers' data would be kept in clear text; make a key with: openssl rand -base64 32", variable)
	}
	return keys, nil
}

// NewKey makes a random key in the form ParseKeys reads, for the dev
// stack's first start.
func NewKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func newGCM(secret []byte) (cipher.AEAD, error) {
	if len(secret) != 32 {
		return nil, fmt.Errorf("crypt: a key must be 32 bytes, not %d", len(secret))
	}
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Keyring holds the key-encryption keys (REDRESS_DATA_KEYS): the first
// wraps new data keys, any unwraps, so that a key is rotated by putting a
// new one first, re-wrapping (which re-encrypts no data), then dropping the
// old one.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewKeyring builds a keyring; the first key is current.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("crypt: no key-encryption key")
	}
	r := &Keyring{current: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		aead, err := newGCM(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("crypt: key %q: %w", k.ID, err)
		}
		r.aeads[k.ID] = aead
	}
	return r, nil
}

// Current is the id of the key that wraps.
func (r *Keyring) Current() string { return r.current }

// Wrapped is a data key encrypted by a key-encryption key.
type Wrapped struct {
	KeyID string
	Bytes []byte // nonce, then the sealed key
}

// ErrNoKey is returned for a wrapped key whose key-encryption key the
// keyring lacks.
var ErrNoKey = errors.New("crypt: no such key-encryption key")

// Wrap encrypts a data key with the current key, bound to its owner, so a
// wrapped key copied to another owner's row does not unwrap.
func (r *Keyring) Wrap(secret []byte, owner string) (Wrapped, error) {
	aead := r.aeads[r.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Wrapped{}, err
	}
	return Wrapped{KeyID: r.current, Bytes: aead.Seal(nonce, nonce, secret, wrapAAD(owner))}, nil
}

// Unwrap decrypts a data key wrapped for owner.
func (r *Keyring) Unwrap(w Wrapped, owner string) ([]byte, error) {
	aead, ok := r.aeads[w.KeyID]
	if !ok {
		return nil, fmt.Errorf("%w %q (REDRESS_DATA_KEYS must keep every key that wrapped a data key until they are re-wrapped)", ErrNoKey, w.KeyID)
	}
	if len(w.Bytes) < aead.NonceSize() {
		return nil, errors.New("crypt: wrapped key too short")
	}
	secret, err := aead.Open(nil, w.Bytes[:aead.NonceSize()], w.Bytes[aead.NonceSize():], wrapAAD(owner))
	if err != nil {
		return nil, fmt.Errorf("crypt: the data key of %s does not unwrap with key %q", owner, w.KeyID)
	}
	return secret, nil
}

func wrapAAD(owner string) []byte { return []byte("redress-dek:" + owner) }

// NewSecret makes a random 32-byte data key.
func NewSecret() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return b
}
