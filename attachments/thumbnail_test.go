package attachments_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image/jpeg"
	"testing"

	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/redresstest"
)

// A photo's thumbnail is a JPEG at most attachments.ThumbnailSide on its longest side,
// its shape kept and never scaled up; a PDF, a file that only looks like an
// image, and a picture that claims a canvas too large to decode safely
// have none.
func TestThumbnail(t *testing.T) {
	stack := redresstest.StartStack(t, redresstest.StackOptions{})
	folder, err := (&config.Config{DataDir: t.TempDir()}).AttachmentStore()
	if err != nil {
		t.Fatal(err)
	}
	store := openStore(t, stack, folder)
	ctx := context.Background()
	id := fileComplaint(t, stack)
	add := func(name string, content []byte) string {
		t.Helper()
		a, _, err := store.Add(ctx, customerUpload(id, name), bytes.NewReader(content))
		if err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
		return a.ID
	}
	for _, tt := range []struct {
		name          string
		photo         []byte
		width, height int
	}{
		{"landscape.png", redresstest.Photo(800, 600), attachments.ThumbnailSide, 180},
		{"portrait.png", redresstest.Photo(300, 1200), 60, 240},
		{"small.png", redresstest.Photo(50, 40), 50, 40},
	} {
		thumb, err := store.Thumbnail(ctx, add(tt.name, tt.photo))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		img, err := jpeg.Decode(bytes.NewReader(thumb))
		if err != nil {
			t.Fatalf("%s: the thumbnail is not a JPEG: %v", tt.name, err)
		}
		if b := img.Bounds(); b.Dx() != tt.width || b.Dy() != tt.height {
			t.Errorf("%s: thumbnail %dx%d; want %dx%d", tt.name, b.Dx(), b.Dy(), tt.width, tt.height)
		}
	}
	for name, content := range map[string][]byte{
		"invoice.pdf":  []byte("%PDF-1.7\n1 0 obj\n%%EOF\n"),
		"fake.png":     redresstest.PNG(5000, 3),
		"enormous.png": pngClaiming(100_000, 100_000),
	} {
		if _, err := store.Thumbnail(ctx, add(name, content)); err == nil {
			t.Errorf("%s has a thumbnail", name)
		}
	}
}

// pngClaiming is a PNG whose header claims a canvas of width by height
// pixels and that holds none of them: a decompression bomb's first bytes.
func pngClaiming(width, height uint32) []byte {
	var ihdr bytes.Buffer
	ihdr.WriteString("IHDR")
	binary.Write(&ihdr, binary.BigEndian, width)
	binary.Write(&ihdr, binary.BigEndian, height)
	ihdr.Write([]byte{8, 2, 0, 0, 0}) // 8-bit RGB
	var file bytes.Buffer
	file.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&file, binary.BigEndian, uint32(ihdr.Len()-4))
	file.Write(ihdr.Bytes())
	binary.Write(&file, binary.BigEndian, crc32.ChecksumIEEE(ihdr.Bytes()))
	return file.Bytes()
}
