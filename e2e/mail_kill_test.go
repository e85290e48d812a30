package e2e

import (
	"net/smtp"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest"
)

// The API process is killed while it holds a mail between the DATA and the
// commit: the sending server never hears 250, so it sends the mail again to
// the API started anew, which files it once; sent a third time (a 250 lost
// on the way) it is still one complaint. PostgreSQL is frozen (SIGSTOP)
// from the end of the mail until the kill, so the kill falls exactly
// there.
func TestMailSurvivesTheAPIKilledBetweenDataAndCommit(t *testing.T) {
	pg, _ := stoppablePostgres(t)
	s := redresstest.StartStack(t, redresstest.StackOptions{DatabaseURL: pg.URL("redress")})
	smtpAddr := "127.0.0.1:" + redresstest.FreePort(t)
	env := redresstest.ProcessEnv(t, s.Config.DatabaseURL, s.Config.TemporalAddress, "",
		"REDRESS_HTTP_ADDR=127.0.0.1:"+redresstest.FreePort(t),
		"REDRESS_INBOUND_SMTP_ADDR="+smtpAddr, "REDRESS_INBOUND_DOMAIN="+redresstest.InboundDomain)
	api := redresstest.StartProcess(t, env, "api")
	api.WaitOutput(t, "inbound mail listening", time.Minute)
	mail := strings.ReplaceAll("From: Zhao Lei <zhao.lei@example.cn>\nTo: complaints@redress.test\nSubject: Fridge door seal torn\n"+
		"Message-ID: <killed-mid-mail@example.cn>\n\nThe seal of the fridge door tore in its first week.\n", "\n", "\r\n")

	c, err := smtp.Dial(smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("zhao.lei@example.cn"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("complaints@" + redresstest.InboundDomain); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(mail)); err != nil {
		t.Fatal(err)
	}
	thaw := freeze(t, pg.Dir())
	answered := make(chan error, 1)
	go func() { answered <- w.Close() }() // the final dot; the 250 would come after the commit
	select {
	case err := <-answered:
		thaw()
		t.Fatalf("the listener answered %v with PostgreSQL frozen; it must wait for the commit", err)
	case <-time.After(2 * time.Second):
	}
	api.Kill()
	if err := <-answered; err == nil {
		thaw()
		t.Fatal("the killed API answered 250")
	}
	thaw()

	redresstest.StartProcess(t, env, "api").WaitOutput(t, "inbound mail listening", time.Minute)
	for range 2 { // the sending server's retry, then the same mail again as if its 250 was lost
		if err := smtp.SendMail(smtpAddr, nil, "zhao.lei@example.cn", []string{"complaints@" + redresstest.InboundDomain}, []byte(mail)); err != nil {
			t.Fatalf("the retry: %v", err)
		}
	}
	got := complaintBySubject(t, s, "Fridge door seal torn") // exactly one
	s.WaitFor(got.ID, 30*time.Second, "its workflow's first step", func(c *redress.Complaint) bool { return c.AckDueAt != nil })
}

// freeze stops every process of the PostgreSQL cluster in dir (SIGSTOP),
// the postmaster first so that it starts no backend meanwhile; the
// returned thaw lets them go on. A test that ends frozen is thawed.
func freeze(t *testing.T, dir string) (thaw func()) {
	t.Helper()
	pidFile, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	postmaster, err := strconv.Atoi(strings.SplitN(string(pidFile), "\n", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	pids := append([]int{postmaster}, childrenOf(t, postmaster)...)
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatalf("stop PostgreSQL's process %d: %v", pid, err)
		}
	}
	thawed := false
	thaw = func() {
		if thawed {
			return
		}
		thawed = true
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	t.Cleanup(thaw)
	return thaw
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var children []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after its ')'.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			children = append(children, child)
		}
	}
	return children
}
