package crypt

import (
	"io"

	"github.com/minio/sio"
)

// Files are encrypted as a stream of authenticated packages (the DARE
// format of github.com/minio/sio), so that a file is never held whole and
// a cut or reordered file is refused. Each file has its own key derived
// from the customer's data key and the file's id.

func (k *DataKey) fileKey(fileID string) []byte { return k.Derive("file:" + fileID) }

// EncryptFile returns a reader of src encrypted for the file fileID.
func (k *DataKey) EncryptFile(src io.Reader, fileID string) (io.Reader, error) {
	return sio.EncryptReader(src, sio.Config{Key: k.fileKey(fileID), MinVersion: sio.Version20})
}

// DecryptFile returns a reader of the file fileID decrypted from src.
func (k *DataKey) DecryptFile(src io.Reader, fileID string) (io.Reader, error) {
	return sio.DecryptReader(src, sio.Config{Key: k.fileKey(fileID), MinVersion: sio.Version20})
}

// EncryptedSize is how many bytes a file of size bytes takes encrypted.
func EncryptedSize(size int64) (int64, error) {
	n, err := sio.EncryptedSize(uint64(size))
	return int64(n), err
}
