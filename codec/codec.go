// Package codec encrypts Temporal payloads, so that customers' personal
// data (contacts, messages, reasons, comments) never sits in clear text in
// Temporal's histories, and decrypts them for people allowed to read them.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/redress-dev/redress/crypt"
)

const (
	encodingEncrypted = "binary/encrypted"
	metadataKeyID     = "encryption-key-id"
)

// Codec is an AES-256-GCM payload codec. It encrypts with the first key and
// decrypts with any key it holds, so keys can be rotated: add the new key
// first and keep the old ones while histories that use them live.
type Codec struct {
	current string
	aeads   map[string]cipher.AEAD
}

// New builds a codec; the first key encrypts.
func New(keys ...crypt.Key) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errors.New("codec: no key")
	}
	c := &Codec{current: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if len(k.Secret) != 32 {
			return nil, fmt.Errorf("codec: key %q must be 32 bytes, not %d", k.ID, len(k.Secret))
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		c.aeads[k.ID] = aead
	}
	return c, nil
}

// Encode encrypts each payload whole: data and metadata.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return seal(c.aeads[c.current], c.current, payloads)
}

// Decode decrypts encrypted payloads and leaves others as they are (those
// written before encryption was on).
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.Metadata[converter.MetadataEncoding]) != encodingEncrypted {
			out[i] = p
			continue
		}
		id := string(p.Metadata[metadataKeyID])
		aead, ok := c.aeads[id]
		if !ok {
			return nil, fmt.Errorf("codec: no key %q to decrypt with", id)
		}
		var err error
		if out[i], err = open(aead, id, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DataConverter is the SDK's default converter with encryption on top:
// every client of Redress (API, worker, tests) must use it.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}
