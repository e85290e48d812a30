package redress

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"sync"
	"time"
)

// Deadlines are computed in workflow code, so every worker that replays a
// complaint must read its zone the same way. time.LoadLocation reads the
// host's database first (ZONEINFO, /usr/share/zoneinfo), which a tzdata
// update or another worker image changes; LoadZone reads only the database
// built into the binary.

// ZoneDatabaseVersion is the tzdata release of zoneinfo/zoneinfo.zip, Go's
// $(go env GOROOT)/lib/time/zoneinfo.zip, whose release is the DATA line of
// update.bash next to it. Update the three together: copy the zip in, set
// this to its DATA, and record the zip's sha256 in zone_test.go. Like any
// change to workflow code, a new database reaches complaints in flight on
// replay, so ship it with the release notes naming the zones it changes.
const ZoneDatabaseVersion = "2025c"

//go:embed zoneinfo/zoneinfo.zip
var zoneDatabase []byte

var zoneFiles = sync.OnceValues(func() (map[string]*zip.File, error) {
	r, err := zip.NewReader(bytes.NewReader(zoneDatabase), int64(len(zoneDatabase)))
	if err != nil {
		return nil, fmt.Errorf("embedded zone database: %w", err)
	}
	files := map[string]*zip.File{}
	for _, f := range r.File {
		files[f.Name] = f
	}
	return files, nil
})

// zones holds each *time.Location loaded, by name; a Location never changes.
var zones sync.Map

// LoadZone returns the named IANA zone from the embedded database,
// ZoneDatabaseVersion, whatever the host has. Only the database's names
// load: not "Local", the host's own zone, nor "", which time.LoadLocation
// reads as UTC.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	files, err := zoneFiles()
	if err != nil {
		return nil, err
	}
	f, ok := files[name]
	if !ok {
		return nil, fmt.Errorf("unknown time zone %q (tzdata %s)", name, ZoneDatabaseVersion)
	}
	data, err := readZoneFile(f)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocationFromTZData(name, data)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	stored, _ := zones.LoadOrStore(name, loc)
	return stored.(*time.Location), nil
}

func readZoneFile(f *zip.File) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", f.Name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", f.Name, err)
	}
	return data, nil
}
