package devstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
)

// Postgres is a PostgreSQL cluster that the dev stack or a test runs from
// the system's binaries in a directory of its own.
type Postgres struct {
	dir  string
	bin  string
	port int
	cred *syscall.Credential // set when running as root: PostgreSQL refuses root
}

// StartPostgres starts the cluster kept in dir, creating it on first use,
// and makes sure the database named db exists. A cluster left running by a
// crashed process is adopted as it is.
func StartPostgres(ctx context.Context, dir, db string) (*Postgres, error) {
	bin, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	// pg_ctl runs in the cluster's directory, so a relative path (the
	// default .redress) would point somewhere else there.
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	p := &Postgres{bin: bin}
	if os.Geteuid() == 0 {
		if p.cred, err = postgresUser(); err != nil {
			return nil, err
		}
	}
	if p.dir, err = p.placeCluster(dir); err != nil {
		return nil, err
	}
	// The parent must stay traversable by the postgres user.
	if err := os.MkdirAll(filepath.Dir(p.dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return nil, err
	}
	if p.cred != nil {
		if err := os.Chown(p.dir, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(p.dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := p.initdb(); err != nil {
			return nil, err
		}
	}
	if p.port, err = p.configuredPort(); err != nil {
		return nil, err
	}
	if !p.running() {
		if err := p.run("pg_ctl", "-D", p.dir, "-l", filepath.Join(p.dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
			return nil, fmt.Errorf("postgres: start failed (see %s): %w", filepath.Join(p.dir, "server.log"), err)
		}
	}
	if err := p.CreateDatabase(ctx, db); err != nil {
		return nil, err
	}
	return p, nil
}

// Dir is where the cluster's files are: the directory asked for, or, when
// the postgres user could not reach that, the one its link leads to.
func (p *Postgres) Dir() string {
	return p.dir
}

// URL is the connection string of a database in the cluster.
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// CreateDatabase creates a database unless it exists.
func (p *Postgres) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, p.URL("postgres"))
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT true FROM pg_database WHERE datname = $1`, name).Scan(&exists); err == nil {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

// Stop shuts the cluster down, letting it finish what it was writing.
func (p *Postgres) Stop() error {
	return p.run("pg_ctl", "-D", p.dir, "-m", "fast", "-w", "stop")
}

func (p *Postgres) initdb() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	// Trust on loopback only: a developer's own cluster, reachable from this
	// machine alone, as the Temporal dev server is.
	if err := p.run("initdb", "-D", p.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		return fmt.Errorf("postgres: initdb: %w", err)
	}
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = ''\nfsync = on\nmax_connections = 200\n", port)
	f, err := os.OpenFile(filepath.Join(p.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(conf)
	return err
}

func (p *Postgres) configuredPort() (int, error) {
	b, err := os.ReadFile(filepath.Join(p.dir, "postgresql.conf"))
	if err != nil {
		return 0, err
	}
	port := 0
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "port = "); ok {
			port, _ = strconv.Atoi(strings.Fields(v)[0])
		}
	}
	if port == 0 {
		return 0, fmt.Errorf("postgres: no port in %s/postgresql.conf", p.dir)
	}
	return port, nil
}

func (p *Postgres) running() bool {
	return p.run("pg_ctl", "-D", p.dir, "status") == nil
}

func (p *Postgres) run(name string, args ...string) error {
	return p.runIn(p.dir, name, args...)
}

// runIn runs one of PostgreSQL's programs from workDir, as the postgres
// user when we are root.
func (p *Postgres) runIn(workDir, name string, args ...string) error {
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	cmd.Dir = workDir
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// postgresBinDir finds the newest PostgreSQL installed from Debian's
// packages, or else the one on PATH.
func postgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) < pgMajor(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	if path, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(path), nil
	}
	return "", errors.New("postgres: no PostgreSQL server binaries found; install them " +
		"(Debian: apt-get install postgresql) or set DATABASE_URL")
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// freePort asks the kernel for a loopback port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PostgresTool is the path of one of PostgreSQL's programs (pg_dump, psql)
// from the installation the dev stack runs.
func PostgresTool(name string) (string, error) {
	bin, err := postgresBinDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(bin, name), nil
}
