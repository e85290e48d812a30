package codec

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/redress-dev/redress/crypt"
)

// customerKeyPrefix starts the key id of a payload encrypted with a
// customer's data key: "customer:<id>".
const customerKeyPrefix = "customer:"

// ErrErased is a data key destroyed by the customer's erasure.
var ErrErased = errors.New("codec: the customer's data key was destroyed by their erasure")

// Keys gives the codec the customers' data keys.
type Keys interface {
	// PayloadOwner is the customer whose data a workflow carries (a
	// complaint's, a win-back's), "" for a workflow of no one's.
	PayloadOwner(ctx context.Context, workflowID string) (string, error)
	// PayloadKey is the customer's data key; fresh reads it from the
	// database rather than a cache. A destroyed key is ErrErased.
	PayloadKey(ctx context.Context, customerID string, fresh bool) (*crypt.DataKey, error)
}

// PerCustomer encrypts each workflow's payloads with the data key of the
// customer whose data it carries, so that erasing the customer makes their
// histories unreadable; the payloads of other workflows (campaigns,
// erasures) and those without a workflow go to the shared codec. It learns
// the workflow from the SDK's serialization context.
type PerCustomer struct {
	shared     *Codec
	keys       Keys
	fresh      bool
	workflowID string
}

// NewPerCustomer builds the codec over the shared one.
func NewPerCustomer(shared *Codec, keys Keys) *PerCustomer {
	return &PerCustomer{shared: shared, keys: keys}
}

// Fresh is the codec for people decoding histories (the Web UI's codec
// endpoint): it reads each data key from the database, so an erasure shows
// at once.
func (c *PerCustomer) Fresh() *PerCustomer {
	f := *c
	f.fresh = true
	return &f
}

// DataConverter is the SDK's default converter with this encryption on
// top: every client of Redress (API, worker, tests) must use it.
func (c *PerCustomer) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// WithSerializationContext binds the codec to the workflow the payloads
// belong to.
func (c *PerCustomer) WithSerializationContext(ctx converter.SerializationContext) converter.PayloadCodec {
	bound := *c
	switch sc := ctx.(type) {
	case converter.WorkflowSerializationContext:
		bound.workflowID = sc.WorkflowID
	case converter.ActivitySerializationContext:
		bound.workflowID = sc.WorkflowID
	}
	return &bound
}

// keyTimeout bounds a data key's lookup: the SDK gives codecs no context.
const keyTimeout = 10 * time.Second

// Encode encrypts the payloads with the data key of the workflow's
// customer, or with the shared key.
func (c *PerCustomer) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.workflowID == "" {
		return c.shared.Encode(payloads)
	}
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	owner, err := c.keys.PayloadOwner(ctx, c.workflowID)
	if err != nil {
		return nil, fmt.Errorf("codec: whose payloads %s carries: %w", c.workflowID, err)
	}
	if owner == "" {
		return c.shared.Encode(payloads)
	}
	aead, err := c.aead(ctx, owner)
	if err != nil {
		return nil, err
	}
	return seal(aead, customerKeyPrefix+owner, payloads)
}

// Decode decrypts payloads with the key each names. A payload of an erased
// customer stays encrypted: it no longer decodes for anyone.
func (c *PerCustomer) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		owner, ok := strings.CutPrefix(string(p.Metadata[metadataKeyID]), customerKeyPrefix)
		if !ok || string(p.Metadata[converter.MetadataEncoding]) != encodingEncrypted {
			decoded, err := c.shared.Decode([]*commonpb.Payload{p})
			if err != nil {
				return nil, err
			}
			out[i] = decoded[0]
			continue
		}
		aead, err := c.aead(ctx, owner)
		if errors.Is(err, ErrErased) {
			out[i] = p
			continue
		}
		if err != nil {
			return nil, err
		}
		if out[i], err = open(aead, customerKeyPrefix+owner, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *PerCustomer) aead(ctx context.Context, owner string) (cipher.AEAD, error) {
	k, err := c.keys.PayloadKey(ctx, owner, c.fresh)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k.Derive("temporal-payloads"))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts each payload whole, data and metadata, naming the key.
func seal(aead cipher.AEAD, keyID string, payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := p.Marshal()
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(encodingEncrypted),
				metadataKeyID:              []byte(keyID),
			},
			Data: aead.Seal(nonce, nonce, plain, nil),
		}
	}
	return out, nil
}

// open decrypts one payload that seal made.
func open(aead cipher.AEAD, keyID string, p *commonpb.Payload) (*commonpb.Payload, error) {
	if len(p.Data) < aead.NonceSize() {
		return nil, errors.New("codec: payload too short")
	}
	plain, err := aead.Open(nil, p.Data[:aead.NonceSize()], p.Data[aead.NonceSize():], nil)
	if err != nil {
		return nil, fmt.Errorf("codec: payload does not decrypt with key %q: %w", keyID, err)
	}
	decoded := &commonpb.Payload{}
	if err := decoded.Unmarshal(plain); err != nil {
		return nil, err
	}
	return decoded, nil
}
