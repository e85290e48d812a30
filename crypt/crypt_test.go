package crypt

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func dataKey(t *rapid.T, label string) *DataKey {
	secret := rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, label+" secret")
	owner := rapid.StringMatching(`[0-9a-f]{8}-[0-9a-f]{4}`).Draw(t, label+" owner")
	k, err := NewDataKey(owner, secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealedTextOpensOnlyWithItsKeyAndPlace(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := dataKey(t, "key")
		aad := rapid.String().Draw(t, "aad")
		text := rapid.String().Draw(t, "text")
		sealed := k.Seal(aad, text)
		if text != "" && strings.Contains(sealed, text) && len(text) > 3 {
			t.Fatalf("the sealed value shows the text: %q", sealed)
		}
		got, err := k.Open(aad, sealed)
		if err != nil || got != text {
			t.Fatalf("round trip: %q, %v; want %q", got, err, text)
		}
		if text == "" {
			return
		}
		if owner, ok := SealedBy(sealed); !ok || owner != k.Owner() {
			t.Fatalf("SealedBy = %q, %v", owner, ok)
		}
		otherPlace := rapid.String().Filter(func(s string) bool { return s != aad }).Draw(t, "other aad")
		if _, err := k.Open(otherPlace, sealed); !errors.Is(err, ErrTampered) {
			t.Fatalf("opened in another place: %v", err)
		}
		// Another key of the same owner: a destroyed key replaced.
		otherSecret := rapid.SliceOfN(rapid.Byte(), 32, 32).Filter(func(b []byte) bool { return !bytes.Equal(b, k.root) }).Draw(t, "other secret")
		other, _ := NewDataKey(k.Owner(), otherSecret)
		if _, err := other.Open(aad, sealed); err == nil {
			t.Fatal("opened with another key")
		}
		raw := []byte(sealed)
		i := rapid.IntRange(len(sealedPrefix)+len(k.Owner())+1, len(raw)-1).Draw(t, "flip")
		raw[i] ^= byte(rapid.IntRange(1, 255).Draw(t, "bits"))
		if got, err := k.Open(aad, string(raw)); err == nil && got == text {
			t.Fatalf("a changed value opened: %q", raw)
		}
	})
}

func TestUnsealedTextIsReadAsItIs(t *testing.T) {
	k, _ := NewDataKey("c1", make([]byte, 32))
	for _, legacy := range []string{"Broken fridge", "enc1", "enc1.", "enc1.x"} {
		if got, err := k.Open("a", legacy); err != nil || got != legacy {
			t.Errorf("Open(%q) = %q, %v", legacy, got, err)
		}
	}
}

func TestWrappedKeysUnwrapForTheirOwnerAcrossRotation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		old := Key{ID: "old", Secret: rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "old")}
		next := Key{ID: "new", Secret: rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "new")}
		owner := rapid.String().Draw(t, "owner")
		secret := rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "data key")

		before, _ := NewKeyring(old)
		w, err := before.Wrap(secret, owner)
		if err != nil || w.KeyID != "old" {
			t.Fatal(w.KeyID, err)
		}
		rotated, _ := NewKeyring(next, old)
		got, err := rotated.Unwrap(w, owner)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("after rotation: %v", err)
		}
		rewrapped, _ := rotated.Wrap(got, owner)
		if rewrapped.KeyID != "new" {
			t.Fatalf("re-wrapped under %q", rewrapped.KeyID)
		}
		after, _ := NewKeyring(next)
		if got, err := after.Unwrap(rewrapped, owner); err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("the old key dropped: %v", err)
		}
		if _, err := after.Unwrap(w, owner); !errors.Is(err, ErrNoKey) {
			t.Fatalf("unwrapped without its key: %v", err)
		}
		other := rapid.String().Filter(func(s string) bool { return s != owner }).Draw(t, "other owner")
		if _, err := rotated.Unwrap(w, other); err == nil {
			t.Fatal("a wrapped key unwrapped for another owner")
		}
	})
}

func TestGramsNeverMissAContainedSearch(t *testing.T) {
	ix, _ := NewIndex(bytes.Repeat([]byte{7}, 32))
	alphabet := []rune("ab c退款冰箱 AB\t")
	rapid.Check(t, func(t *rapid.T) {
		text := string(rapid.SliceOf(rapid.SampledFrom(alphabet)).Draw(t, "text"))
		words := []rune(normalise(text))
		if len(words) == 0 {
			return
		}
		i := rapid.IntRange(0, len(words)-1).Draw(t, "from")
		j := rapid.IntRange(i+1, len(words)).Draw(t, "to")
		search := string(words[i:j])
		if rapid.Bool().Draw(t, "upper") {
			search = strings.ToUpper(search)
		}
		want, err := ix.SearchGrams(search)
		if errors.Is(err, ErrShortSearch) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		have := ix.Grams(text)
		for _, g := range want {
			if !slices.Contains(have, g) {
				t.Fatalf("%q contains %q but lacks its gram", text, search)
			}
		}
		if !Contains(text, search) {
			t.Fatalf("Contains(%q, %q) = false", text, search)
		}
	})
}

func TestShortSearches(t *testing.T) {
	ix, _ := NewIndex(bytes.Repeat([]byte{7}, 32))
	for search, ok := range map[string]bool{"tv": false, " a ": false, "": false, "退": true, "退款": true, "fridge": true} {
		_, err := ix.SearchGrams(search)
		if (err == nil) != ok {
			t.Errorf("SearchGrams(%q): %v", search, err)
		}
	}
}

func TestLookupHashesCompareNormalisedValues(t *testing.T) {
	ix, _ := NewIndex(bytes.Repeat([]byte{1}, 32))
	other, _ := NewIndex(bytes.Repeat([]byte{2}, 32))
	if ix.Email(" Li.Wei@Example.com ") != ix.Email("li.wei@example.com") {
		t.Error("e-mails differing in case and spaces do not match")
	}
	if ix.Email("li.wei@example.com") == ix.Email("liwei@example.com") {
		t.Error("different e-mails match")
	}
	if ix.Email("a@b.c") == other.Email("a@b.c") {
		t.Error("another key makes the same hash")
	}
	if ix.Phone("+86 138-0013-8000") != ix.Phone("+8613800138000") || ix.Phone("8613800138000") == ix.Phone("+8613800138000") {
		t.Error("phones compare wrong")
	}
	if ix.Email("  ") != "" || ix.Phone("n/a") != "" {
		t.Error("a blank value has a hash")
	}
	if strings.Contains(ix.Email("li.wei@example.com"), "example") {
		t.Error("the hash shows the address")
	}
}

func TestFilesRoundTripAndRefuseAnotherPlace(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := dataKey(t, "key")
		content := rapid.SliceOfN(rapid.Byte(), 1, 200_000).Draw(t, "content")
		enc, err := k.EncryptFile(bytes.NewReader(content), "file-1")
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := io.ReadAll(enc)
		if err != nil {
			t.Fatal(err)
		}
		if size, _ := EncryptedSize(int64(len(content))); size != int64(len(sealed)) {
			t.Fatalf("EncryptedSize = %d, wrote %d", size, len(sealed))
		}
		dec, _ := k.DecryptFile(bytes.NewReader(sealed), "file-1")
		got, err := io.ReadAll(dec)
		if err != nil || !bytes.Equal(got, content) {
			t.Fatalf("round trip: %v", err)
		}
		dec, _ = k.DecryptFile(bytes.NewReader(sealed), "file-2")
		if _, err := io.ReadAll(dec); err == nil {
			t.Fatal("decrypted as another file")
		}
		if len(sealed) > 64 {
			cut := rapid.IntRange(1, len(sealed)-1).Draw(t, "cut")
			dec, _ = k.DecryptFile(bytes.NewReader(sealed[:cut]), "file-1")
			if _, err := io.ReadAll(dec); err == nil {
				t.Fatal("a cut file decrypted")
			}
		}
	})
}

func TestParseKeys(t *testing.T) {
	k, _ := NewKey()
	keys, err := ParseKeys("REDRESS_DATA_KEYS", "2026:"+k+", "+k)
	if err != nil || len(keys) != 2 || keys[0].ID != "2026" || len(keys[1].ID) != 8 {
		t.Fatalf("ParseKeys = %+v, %v", keys, err)
	}
	for _, bad := range []string{"", "short", "id:bm90LTMyLWJ5dGVz", "a:" + k + ",a:" + k} {
		if _, err := ParseKeys("REDRESS_DATA_KEYS", bad); err == nil || !strings.Contains(err.Error(), "REDRESS_DATA_KEYS") {
			t.Errorf("ParseKeys(%q): %v", bad, err)
		}
	}
}
