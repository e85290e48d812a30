package attachments

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
)

// The limits of SPEC section 10: beyond either, an upload is refused (413).
const (
	MaxSize         = 10 << 20 // bytes in one file
	MaxPerComplaint = 10       // files on one complaint
)

// meter passes an upload through once, hashing and counting it, and stops
// one byte past MaxSize, so a file over the limit is never read whole. It
// keeps the source's own error apart from the store's.
type meter struct {
	src     io.Reader
	hash    hash.Hash
	size    int64
	readErr error
}

func newMeter(src io.Reader) *meter {
	return &meter{src: io.LimitReader(src, MaxSize+1), hash: sha256.New()}
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.src.Read(p)
	m.hash.Write(p[:n])
	m.size += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		m.readErr = err
	}
	return n, err
}

func (m *meter) tooLarge() bool { return m.size > MaxSize }

func (m *meter) sum() string { return hex.EncodeToString(m.hash.Sum(nil)) }
