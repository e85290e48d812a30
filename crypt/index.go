package crypt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"unicode"
)

// Index makes the keyed hashes that stand in for personal data where
// PostgreSQL must find it: exact lookups (a customer by e-mail or phone)
// and searches (the n-grams of a text). Without the key nobody can compute
// them from a guess, so a dump shows no address and cannot confirm one.
type Index struct{ key []byte }

// NewIndex builds the index from its 32-byte key.
func NewIndex(key []byte) (Index, error) {
	if len(key) != 32 {
		return Index{}, errors.New("crypt: the index key must be 32 bytes")
	}
	return Index{key: key}, nil
}

// lookupPrefix marks a keyed lookup hash apart from the clear keys stored
// before encryption at rest.
const lookupPrefix = "h1."

// Lookup is the lookup hash of a value of some kind compared exactly
// (such as a file's name); "" for none.
func (ix Index) Lookup(kind, value string) string { return ix.lookup(kind, value) }

func (ix Index) lookup(kind, normalised string) string {
	if normalised == "" {
		return ""
	}
	m := hmac.New(sha256.New, ix.key)
	m.Write([]byte(kind + ":" + normalised))
	return lookupPrefix + hex.EncodeToString(m.Sum(nil))
}

// Email is the lookup hash of an e-mail address: the same for any address
// that is the same once trimmed and lower-cased; "" for none.
func (ix Index) Email(email string) string { return ix.lookup("email", NormalEmail(email)) }

// Phone is the lookup hash of a phone number: the same for the same digits
// and leading +, whatever the separators; "" for none.
func (ix Index) Phone(phone string) string { return ix.lookup("phone", NormalPhone(phone)) }

// NormalEmail is an address as lookups compare it.
func NormalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// NormalPhone is a phone number as lookups compare it.
func NormalPhone(phone string) string {
	var digits strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	if digits.Len() == 0 {
		return ""
	}
	if strings.HasPrefix(strings.TrimSpace(phone), "+") {
		return "+" + digits.String()
	}
	return digits.String()
}

// Grams are the keyed hashes of a text's search grams, without repeats:
// what a search index stores in place of the text.
func (ix Index) Grams(texts ...string) []int32 {
	m := hmac.New(sha256.New, ix.key)
	seen := map[int32]bool{}
	var out []int32
	for _, text := range texts {
		for _, g := range grams(normalise(text)) {
			h := ix.gram(m, g)
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out
}

// ErrShortSearch is returned for a search too short to have grams.
var ErrShortSearch = errors.New("a search needs at least three characters, or one Chinese, Japanese or Korean character")

// SearchGrams are the hashes every text that contains the search has
// (so a text lacking one does not contain it). A search of one or two
// letters has none and is refused.
func (ix Index) SearchGrams(search string) ([]int32, error) {
	q := []rune(normalise(search))
	switch {
	case len(q) >= 3:
		return ix.Grams(search), nil
	case len(q) > 0 && allWide(q):
		return []int32{ix.gram(hmac.New(sha256.New, ix.key), string(q))}, nil
	}
	return nil, ErrShortSearch
}

func (ix Index) gram(m hash.Hash, g string) int32 {
	m.Reset()
	m.Write([]byte("gram:" + g))
	return int32(binary.BigEndian.Uint32(m.Sum(nil)))
}

// Contains is the check that a found text does contain the search, since
// grams only narrow the candidates: ignoring case and runs of spaces.
func Contains(text, search string) bool {
	return strings.Contains(normalise(text), normalise(search))
}

// grams are every three-character window of a normalised text, and for
// the scripts that write words without spaces (Han, kana, Hangul) also
// every single character and pair, so that a one- or two-character word
// can be searched.
func grams(text string) []string {
	r := []rune(text)
	var out []string
	for i := range r {
		if i+3 <= len(r) {
			out = append(out, string(r[i:i+3]))
		}
		if wide(r[i]) {
			out = append(out, string(r[i]))
			if i+2 <= len(r) && wide(r[i+1]) {
				out = append(out, string(r[i:i+2]))
			}
		}
	}
	return out
}

func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func allWide(r []rune) bool {
	for _, c := range r {
		if !wide(c) {
			return false
		}
	}
	return true
}

// normalise lower-cases a text and makes each run of spaces one.
func normalise(text string) string { return strings.Join(strings.Fields(strings.ToLower(text)), " ") }
