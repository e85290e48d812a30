package redresstest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// PNG is a file of size bytes that sniffs as a PNG image: the signature and
// the first chunk's header, then fill.
func PNG(size int, fill byte) []byte {
	b := bytes.Repeat([]byte{fill}, size)
	copy(b, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	return b
}

// Photo is a real PNG picture of width by height pixels (a gradient), one
// that decodes, for thumbnails.
func Photo(width, height int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			img.Set(x, y, color.RGBA{R: uint8(255 * x / width), G: uint8(255 * y / height), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // an in-memory image always encodes
	return b.Bytes()
}
