package redresstest

import "bytes"

// PNG is a file of size bytes that sniffs as a PNG image: the signature and
// the first chunk's header, then fill.
func PNG(size int, fill byte) []byte {
	b := bytes.Repeat([]byte{fill}, size)
	copy(b, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	return b
}
