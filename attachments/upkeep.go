package attachments

import (
	"context"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/redress-dev/redress"
)

// upkeepEvery is how often the store looks for files to delete.
const upkeepEvery = 5 * time.Second

// Run keeps the object store in step with the personal data rules until
// ctx ends: once, it encrypts the files stored before encryption at rest;
// then, again and again, it deletes the bytes of files whose complaint was
// anonymized (an erasure, or retention), and their rows, which is what an
// erasure waits for to be done.
func (s *Store) Run(ctx context.Context) {
	if n, err := s.EncryptOlderFiles(ctx); err != nil && ctx.Err() == nil {
		s.logger.Warn("encrypting files stored before encryption at rest; the next start tries again", "error", err)
	} else if n > 0 {
		s.logger.Info("files stored before encryption at rest encrypted", "files", n)
	}
	tick := time.NewTicker(upkeepEvery)
	defer tick.Stop()
	for {
		if _, err := s.DeleteErasedFiles(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("deleting the files of erased complaints", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// DeleteErasedFiles deletes the bytes, then the rows, of the files of
// anonymized complaints, and returns how many went.
func (s *Store) DeleteErasedFiles(ctx context.Context) (int, error) {
	deleted := 0
	for {
		files, err := s.db.AnonymizedFiles(ctx, 100)
		if err != nil || len(files) == 0 {
			return deleted, err
		}
		for _, a := range files {
			if err := s.bucket.Delete(ctx, a.BlobKey); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				return deleted, s.storeDown(err)
			}
			if err := s.db.ForgetFile(ctx, a.ID); err != nil {
				return deleted, err
			}
			deleted++
		}
	}
}

// EncryptOlderFiles encrypts the files stored in clear before encryption
// at rest: each is written encrypted under a new name, its row repointed,
// and the clear bytes deleted, so a crash midway leaves either the old
// file in use or an unused new one, which the next pass writes again.
func (s *Store) EncryptOlderFiles(ctx context.Context) (int, error) {
	done := 0
	for {
		files, err := s.db.ClearFiles(ctx, 100)
		if err != nil || len(files) == 0 {
			return done, err
		}
		for _, a := range files {
			if err := s.encryptOlder(ctx, a); err != nil {
				return done, err
			}
			done++
		}
	}
}

func (s *Store) encryptOlder(ctx context.Context, a redress.Attachment) error {
	key, err := s.db.FileKey(ctx, a.ComplaintID)
	if err != nil {
		return err
	}
	clear, err := s.bucket.NewReader(ctx, a.BlobKey, nil)
	if err != nil {
		return s.storeDown(err)
	}
	defer clear.Close()
	encrypted, err := key.EncryptFile(clear, a.ID)
	if err != nil {
		return err
	}
	sealedKey := a.BlobKey + ".enc"
	if err := s.bucket.Upload(ctx, sealedKey, encrypted, &blob.WriterOptions{ContentType: "application/octet-stream"}); err != nil {
		return s.storeDown(err)
	}
	moved, err := s.db.FileEncrypted(ctx, a, sealedKey, key.Owner())
	if err != nil {
		return err
	}
	gone := a.BlobKey
	if !moved {
		gone = sealedKey
	}
	s.remove(ctx, gone)
	return nil
}
