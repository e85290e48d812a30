package crypt

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// sealedPrefix starts every sealed text; the owner's id follows, so that
// a value moved to another customer's row (a merge) still names the key
// that opens it.
const sealedPrefix = "enc1."

// DataKey is one customer's data key, unwrapped.
type DataKey struct {
	owner string
	aead  cipher.AEAD
	root  []byte
}

// NewDataKey wraps a 32-byte secret as owner's data key.
func NewDataKey(owner string, secret []byte) (*DataKey, error) {
	aead, err := newGCM(secret)
	if err != nil {
		return nil, err
	}
	return &DataKey{owner: owner, aead: aead, root: secret}, nil
}

// Owner is the id of the customer the key belongs to.
func (k *DataKey) Owner() string { return k.owner }

// Derive is a key for another use of the same data key (files, Temporal
// payloads), named by purpose, so that destroying the data key destroys
// it too and no two uses share a key.
func (k *DataKey) Derive(purpose string) []byte {
	out, err := hkdf.Key(sha256.New, k.root, nil, "redress:"+purpose, 32)
	if err != nil {
		panic(err) // only for lengths beyond HKDF's limit
	}
	return out
}

// Seal encrypts a text bound to aad, the identity of the place it is kept
// (such as "complaints.subject:<id>"). The empty text stays empty: that a
// field is blank is not worth hiding and keeps "is it set" queries simple.
func (k *DataKey) Seal(aad, text string) string {
	if text == "" {
		return ""
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	sealed := k.aead.Seal(nonce, nonce, []byte(text), []byte(aad))
	return sealedPrefix + k.owner + "." + base64.RawURLEncoding.EncodeToString(sealed)
}

// ErrTampered is returned for a sealed text that does not open with its
// key and place: changed, or moved from another place.
var ErrTampered = errors.New("crypt: a sealed value does not open where it is")

// Open decrypts what Seal made for the same aad. A text that is not sealed
// (written before encryption at rest) is returned as it is.
func (k *DataKey) Open(aad, value string) (string, error) {
	owner, body, sealed := split(value)
	if !sealed {
		return value, nil
	}
	if owner != k.owner {
		return "", fmt.Errorf("crypt: a value sealed for %s given the key of %s", owner, k.owner)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize() {
		return "", ErrTampered
	}
	plain, err := k.aead.Open(nil, raw[:k.aead.NonceSize()], raw[k.aead.NonceSize():], []byte(aad))
	if err != nil {
		return "", ErrTampered
	}
	return string(plain), nil
}

// SealedBy is the owner of the key that sealed value, if it is sealed.
func SealedBy(value string) (owner string, sealed bool) {
	owner, _, sealed = split(value)
	return owner, sealed
}

func split(value string) (owner, body string, sealed bool) {
	rest, ok := strings.CutPrefix(value, sealedPrefix)
	if !ok {
		return "", "", false
	}
	owner, body, ok = strings.Cut(rest, ".")
	if !ok || owner == "" {
		return "", "", false
	}
	return owner, body, true
}
