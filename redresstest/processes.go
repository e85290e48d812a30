package redresstest

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary builds the redress command once per test process and returns its
// path: the very binary a user runs.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "redress-bin-")
		if err != nil {
			buildErr = err
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Dir(filepath.Dir(file))
		binary = filepath.Join(dir, "redress")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/redress")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = &exec.ExitError{ProcessState: cmd.ProcessState, Stderr: out}
		}
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/redress: %v", buildErr)
	}
	return binary
}

// BinaryAt builds the redress command as it was at a commit of this
// repository (from a worktree of it), to compare the same load on two
// versions in one run.
func BinaryAt(t testing.TB, commit string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	for _, args := range [][]string{{"git", "worktree", "add", "--detach", tree, commit}} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	t.Cleanup(func() {
		cmd := exec.Command("git", "worktree", "remove", "--force", tree)
		cmd.Dir = root
		_ = cmd.Run()
	})
	binary := filepath.Join(dir, "redress")
	cmd := exec.Command("go", "build", "-o", binary, "./cmd/redress")
	cmd.Dir = tree
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/redress at %s: %v\n%s", commit, err, out)
	}
	return binary
}

// Process is a redress command running as a process of its own.
type Process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	output *bytes.Buffer
	mu     sync.Mutex
}

// StartProcess runs the binary with args and env (over none of the test's
// own environment but PATH and HOME), stopping it when the test ends.
func StartProcess(t testing.TB, env []string, args ...string) *Process {
	t.Helper()
	return StartBinary(t, Binary(t), env, args...)
}

// StartBinary is StartProcess for another build of redress.
func StartBinary(t testing.TB, binary string, env []string, args ...string) *Process {
	t.Helper()
	p := &Process{output: &bytes.Buffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(30 * time.Second):
			p.Kill()
		}
		if t.Failed() {
			t.Logf("%s, its last lines:\n%s", args, p.digest(t, fmt.Sprintf("%s-%d", args[0], p.PID())))
		}
	})
	return p
}

// digestLines is how many lines of a process's output a failed test
// prints: enough to see how it ended, few enough that the test's own
// errors stay in sight when several processes print theirs.
const digestLines = 12

// digest writes the whole output to the test's artifact directory (kept
// when go test runs with -artifacts) and returns its last lines, a run of lines that
// differ only in their time folded into one.
func (p *Process) digest(t testing.TB, name string) string {
	output := p.Output()
	file := filepath.Join(t.ArtifactDir(), name+".log")
	if err := os.WriteFile(file, []byte(output), 0o600); err != nil {
		file = err.Error()
	}
	var lines []string
	previous, repeats := "", 0
	flush := func() {
		if repeats > 0 {
			lines = append(lines, fmt.Sprintf("(and %d more like it)", repeats))
		}
		repeats = 0
	}
	for _, line := range strings.Split(strings.TrimRight(output, "\n"), "\n") {
		same := withoutTime(line)
		if same == previous && same != "" {
			repeats++
			continue
		}
		previous = same
		flush()
		lines = append(lines, line)
	}
	flush()
	lines = lines[max(0, len(lines)-digestLines):]
	return strings.Join(lines, "\n") + "\n(the whole output, kept with go test -artifacts: " + file + ")"
}

// withoutTime is a log line less its time= field.
func withoutTime(line string) string {
	if rest, ok := strings.CutPrefix(line, "time="); ok {
		if _, after, ok := strings.Cut(rest, " "); ok {
			return after
		}
	}
	return line
}

func (p *Process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.Write(b)
}

// Output is what the process printed so far.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

// PID is the process's id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Kill ends the process at once (SIGKILL), as a crash would, and waits
// until it is gone.
func (p *Process) Kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// WaitOutput waits until the process has printed text.
func (p *Process) WaitOutput(t testing.TB, text string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.Output(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("%q not printed within %s:\n%s", text, timeout, p.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Usage is the process's resident memory and the CPU time it has used.
func (p *Process) Usage() (rss int64, cpu time.Duration) {
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.PID()))
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			rss = kb << 10
		}
	}
	stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.PID()))
	if i := strings.LastIndexByte(string(stat), ')'); i > 0 {
		f := strings.Fields(string(stat)[i+1:])
		if len(f) > 12 {
			user, _ := strconv.ParseInt(f[11], 10, 64)
			system, _ := strconv.ParseInt(f[12], 10, 64)
			cpu = time.Duration(user+system) * time.Second / 100 // clock ticks of 1/100 s
		}
	}
	return rss, cpu
}

// WaitReady waits for an HTTP server of the process to answer 200 at url.
func WaitReady(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within %s: %v", url, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// FreePort is a loopback port free at the moment.
func FreePort(t testing.TB) string { return strconv.Itoa(freePort(t)) }

// Process keys: the secrets of the intake and agent API keys that
// ProcessEnv gives the production commands (long enough for them).
const (
	ProcessIntakeKey = "crm-secret-0123456789abcdefghij"
	ProcessAgentKey  = "desk-secret-0123456789abcdefghij"
)

// ProcessEnv is the environment `redress api` and `redress worker`
// processes need to join the infrastructure at databaseURL and
// temporalAddress: the process keys, shared secrets, rate limits off, the
// policy (YAML over the defaults), and a data dir of the test's whose
// attachments folder every API process shares, plus extra settings.
func ProcessEnv(t testing.TB, databaseURL, temporalAddress, policy string, extra ...string) []string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(file, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	return append([]string{
		"DATABASE_URL=" + databaseURL,
		"TEMPORAL_ADDRESS=" + temporalAddress,
		"REDRESS_API_KEYS=crm:intake:" + ProcessIntakeKey + ",desk:agent:" + ProcessAgentKey,
		"REDRESS_TOKEN_SECRET=process-token-secret-0123456789abcdef",
		"REDRESS_PAYLOAD_KEYS=" + PayloadKey,
		"REDRESS_DATA_KEYS=" + DataKey,
		"REDRESS_POLICY=" + file,
		"REDRESS_DATA_DIR=" + t.TempDir(),
		"REDRESS_RATE_INTAKE=0", "REDRESS_RATE_CUSTOMER=0", "REDRESS_RATE_TOKEN_MISSES=0", "REDRESS_RATE_ANALYTICS=0",
	}, extra...)
}

// AckWindowPolicy is a policy whose acknowledgement window is window at
// every priority, and whose resolution window is longer than any run.
func AckWindowPolicy(window time.Duration) string {
	sla := "{ack_within: " + window.String() + ", resolve_within: 100h}"
	return "sla: {P1: " + sla + ", P2: " + sla + ", P3: " + sla + ", P4: " + sla + "}\n"
}
