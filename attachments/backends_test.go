package attachments_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"

	"github.com/redress-dev/redress/attachments"
	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/desk"
	"github.com/redress-dev/redress/redresstest"
)

// backends are the object stores the tests run on: the dev stack's folder
// (the default URL config makes) and an S3 server in this process.
func backends(t *testing.T) map[string]string {
	folder, err := (&config.Config{DataDir: t.TempDir()}).AttachmentStore()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"folder": folder, "s3": fakeS3(t)}
}

// fakeS3 serves an S3 API from memory, with one bucket, and returns the
// s3blob URL that reaches it as a production store would be reached.
func fakeS3(t *testing.T) string {
	memory := s3mem.New()
	if err := memory.CreateBucket("redress"); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(gofakes3.New(memory).Server())
	t.Cleanup(server.Close)
	q := url.Values{"endpoint": {server.URL}, "region": {"us-east-1"}, "use_path_style": {"true"},
		"disable_https": {"true"}, "anonymous": {"true"}}
	return "s3://redress?" + q.Encode()
}

// openStore opens the store on url over the stack's database and workflows.
func openStore(t *testing.T, stack *redresstest.Stack, url string) *attachments.Store {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := attachments.Open(context.Background(), url, stack.DB, desk.New(stack.DB, stack.Temporal, logger), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// keysUnder lists what the object store at url holds under a prefix,
// temporary files included, read apart from the store under test.
func keysUnder(t *testing.T, url, prefix string) []string {
	t.Helper()
	bucket, err := blob.OpenBucket(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	var keys []string
	it := bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(context.Background())
		if err == io.EOF {
			return keys
		}
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, filepath.ToSlash(obj.Key))
	}
}
