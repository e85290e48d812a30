package devstack

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// PostgreSQL refuses to run as root, so root's cluster runs as the postgres
// user, who must be able to enter the cluster's directory. A clone in a
// private home (root's is 0700) is out of its reach. Rather than loosen the
// home, the cluster then lives under relocatedClusters, in a directory named
// after the data dir's path, and the data dir keeps a link to it.
const relocatedClusters = "/var/lib/redress"

// placeCluster returns the directory where the cluster asked for at dir (an
// absolute path) lives: dir itself, unless the postgres user cannot reach it.
func (p *Postgres) placeCluster(dir string) (string, error) {
	if p.cred == nil {
		return dir, nil
	}
	if err := p.runIn("/", "pg_ctl", "--version"); err != nil {
		return "", fmt.Errorf("postgres: the postgres user cannot run %s (%w); "+
			"let it read and execute the PostgreSQL installation, or set DATABASE_URL", p.bin, err)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	if p.runIn(parent, "pg_ctl", "--version") == nil {
		return dir, nil
	}
	sum := sha256.Sum256([]byte(dir))
	relocated := filepath.Join(relocatedClusters, "postgres-"+hex.EncodeToString(sum[:8]))
	if link, err := os.Readlink(dir); err == nil && link == relocated {
		return relocated, nil
	}
	err := os.MkdirAll(relocatedClusters, 0o755)
	if err == nil {
		err = p.runIn(relocatedClusters, "pg_ctl", "--version")
	}
	if err != nil {
		return "", fmt.Errorf("postgres: running as root, PostgreSQL runs as the postgres user, who cannot enter %s, "+
			"and its cluster cannot live in %s either (%w); set REDRESS_DATA_DIR to a directory whose every parent "+
			"others may enter (e.g. /var/tmp/redress), or set DATABASE_URL", parent, relocatedClusters, err)
	}
	if err := clearLinkPlace(dir); err != nil {
		return "", err
	}
	// A cluster already there belonged to a data dir at this same path that
	// has been deleted since: deleting a data dir means starting afresh.
	if err := p.discardCluster(relocated); err != nil {
		return "", err
	}
	return relocated, os.Symlink(relocated, dir)
}

// clearLinkPlace makes way for the link at dir: it removes a link from an
// earlier place or copy, and the empty directory a failed start left, but
// never files.
func clearLinkPlace(dir string) error {
	info, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Mode()&os.ModeSymlink != 0 {
		return os.Remove(dir)
	}
	if info.IsDir() && os.Remove(dir) == nil {
		return nil
	}
	return fmt.Errorf("postgres: %s holds files, but the postgres user, who runs PostgreSQL for root, cannot enter %s; "+
		"move them away (mv %s %s.old) and start again for a new cluster under %s, "+
		"or set REDRESS_DATA_DIR to a directory whose every parent others may enter",
		dir, filepath.Dir(dir), dir, dir, relocatedClusters)
}

// discardCluster stops and deletes the cluster at dir, if there is one.
func (p *Postgres) discardCluster(dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if p.runIn(dir, "pg_ctl", "-D", dir, "status") == nil {
		if err := p.runIn(dir, "pg_ctl", "-D", dir, "-m", "fast", "-w", "stop"); err != nil {
			return err
		}
	}
	return os.RemoveAll(dir)
}

func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("postgres: running as root needs a 'postgres' system user to run PostgreSQL " +
			"(Debian's postgresql package creates it)")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}
