package attachments

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/redress-dev/redress"
)

// ThumbnailSide is the longest side of a thumbnail, in pixels.
const ThumbnailSide = 240

// maxPixels bounds the images a thumbnail is drawn from: a small file may
// claim a huge canvas (a decompression bomb), which would take gigabytes
// to decode.
const maxPixels = 50_000_000

// imageCodec reads an image's size, then the image.
type imageCodec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// decoders read the image types a thumbnail can be drawn from; the others
// (HEIC, AVIF) have no Go decoder and are listed by name only.
var decoders = map[string]imageCodec{
	"image/jpeg": {jpeg.DecodeConfig, jpeg.Decode}, "image/png": {png.DecodeConfig, png.Decode},
	"image/gif": {gif.DecodeConfig, gif.Decode}, "image/webp": {webp.DecodeConfig, webp.Decode},
	"image/bmp": {bmp.DecodeConfig, bmp.Decode}, "image/tiff": {tiff.DecodeConfig, tiff.Decode},
}

// HasThumbnail reports whether a thumbnail can be drawn of the attachment.
func HasThumbnail(a redress.Attachment) bool {
	_, ok := decoders[baseType(a.ContentType)]
	return ok
}

func baseType(contentType string) string {
	base, _, _ := strings.Cut(contentType, ";")
	return strings.TrimSpace(base)
}

// Thumbnail draws a JPEG of the image attachment, its longest side at most
// ThumbnailSide, over white where it is transparent. A file of another
// type, or an image too large to decode safely, is ENOTFOUND: it has no
// thumbnail.
func (s *Store) Thumbnail(ctx context.Context, id string) ([]byte, error) {
	a, body, err := s.Read(ctx, id)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	none := redress.Errorf(redress.ENOTFOUND, "attachment %q has no thumbnail", id)
	kind := baseType(a.ContentType)
	codec, ok := decoders[kind]
	if !ok {
		return nil, none
	}
	// Read whole (at most MaxSize): the size is checked before decoding.
	file, err := io.ReadAll(body)
	if err != nil {
		return nil, s.storeDown(err)
	}
	cfg, err := codec.config(bytes.NewReader(file))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, none
	}
	img, err := codec.decode(bytes.NewReader(file))
	if err != nil {
		return nil, none
	}
	return drawThumbnail(img)
}

// drawThumbnail scales img to fit ThumbnailSide, never up.
func drawThumbnail(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if side := max(w, h); side > ThumbnailSide {
		w, h = max(1, w*ThumbnailSide/side), max(1, h*ThumbnailSide/side)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
