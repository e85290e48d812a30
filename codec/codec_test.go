package codec_test

import (
	"bytes"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/redress-dev/redress/codec"
	"github.com/redress-dev/redress/crypt"
)

func key(id string, fill byte) crypt.Key {
	return crypt.Key{ID: id, Secret: bytes.Repeat([]byte{fill}, 32)}
}

func TestRoundTripHidesTheData(t *testing.T) {
	c, err := codec.New(key("k1", 1))
	if err != nil {
		t.Fatal(err)
	}
	dc := c.DataConverter()
	p, err := dc.ToPayload(map[string]string{"message": "my phone is 138 0000 0000"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("138 0000")) || string(p.Metadata[converter.MetadataEncoding]) != "binary/encrypted" {
		t.Fatalf("payload not encrypted: %s", p)
	}
	var back map[string]string
	if err := dc.FromPayload(p, &back); err != nil || back["message"] != "my phone is 138 0000 0000" {
		t.Errorf("round trip = %v, %v", back, err)
	}
}

func TestPlainPayloadsPassThrough(t *testing.T) {
	c, _ := codec.New(key("k1", 1))
	plain, _ := converter.GetDefaultDataConverter().ToPayload("written before encryption")
	out, err := c.Decode([]*commonpb.Payload{plain})
	if err != nil || out[0] != plain {
		t.Errorf("a plain payload changed: %v, %v", out, err)
	}
}

func TestRotationAndRefusals(t *testing.T) {
	old, _ := codec.New(key("old", 1))
	sealed, _ := old.Encode([]*commonpb.Payload{{Data: []byte("secret")}})

	rotated, _ := codec.New(key("new", 2), key("old", 1))
	if out, err := rotated.Decode(sealed); err != nil || string(out[0].Data) != "secret" {
		t.Errorf("the old key no longer decrypts: %v", err)
	}
	fresh, _ := rotated.Encode([]*commonpb.Payload{{Data: []byte("x")}})
	if string(fresh[0].Metadata["encryption-key-id"]) != "new" {
		t.Error("the first key must encrypt")
	}

	stranger, _ := codec.New(key("other", 3))
	if _, err := stranger.Decode(sealed); err == nil || !strings.Contains(err.Error(), "no key") {
		t.Errorf("decoding without the key: %v", err)
	}
	tampered := &commonpb.Payload{Metadata: sealed[0].Metadata, Data: append([]byte(nil), sealed[0].Data...)}
	tampered.Data[len(tampered.Data)-1] ^= 1
	if _, err := old.Decode([]*commonpb.Payload{tampered}); err == nil {
		t.Error("a tampered payload decrypted")
	}
}
