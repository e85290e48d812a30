// Package hostzone runs a test on a worker host whose zone database has been
// changed under it: one zone keeps another zone's time, as after a tzdata
// update that moved its offset.
package hostzone

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// childEnv names, in the test process that Run starts, the test it runs.
const childEnv = "REDRESS_HOSTZONE_TEST"

// Run runs test in a fresh process of the test binary whose ZONEINFO names a
// database in which zone has the rules of rulesOf, both taken from the zip
// database at from. A fresh process, because the time package reads ZONEINFO
// once, at its first LoadLocation. The host's time.LoadLocation(zone) there is
// checked to give rulesOf's offset, so the test cannot pass unchanged.
func Run(t *testing.T, from, zone, rulesOf string, test func(t *testing.T)) {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		checkDoctored(t, from, zone, rulesOf)
		test(t)
		return
	}
	database := filepath.Join(t.TempDir(), "zoneinfo.zip")
	writeDatabase(t, database, zone, zoneData(t, from, rulesOf))
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "ZONEINFO="+database, childEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("under a zone database where %s keeps %s's time: %v\n%s", zone, rulesOf, err, out)
	}
}

// checkDoctored fails unless the host reads zone as rulesOf.
func checkDoctored(t *testing.T, from, zone, rulesOf string) {
	t.Helper()
	host, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	want, err := time.LoadLocationFromTZData(rulesOf, zoneData(t, from, rulesOf))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, got := at.In(host).Zone(); got != offset(at, want) {
		t.Fatalf("ZONEINFO did not take effect: the host puts %s at %+ds, %s is at %+ds", zone, got, rulesOf, offset(at, want))
	}
}

func offset(at time.Time, loc *time.Location) int {
	_, seconds := at.In(loc).Zone()
	return seconds
}

// zoneData is the TZif data of zone in the zip database at from.
func zoneData(t *testing.T, from, zone string) []byte {
	t.Helper()
	r, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, err := r.Open(zone)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// writeDatabase writes a zip database of one zone, stored uncompressed as
// the time package requires of ZONEINFO.
func writeDatabase(t *testing.T, path, zone string, data []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := zip.NewWriter(f)
	entry, err := w.CreateHeader(&zip.FileHeader{Name: zone, Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := entry.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
