package redress_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/redresstest/hostzone"
	"github.com/redress-dev/redress/redresstest/slamodel"
)

// A worker whose host database moved Shanghai to Tokyo's time (as a tzdata
// update or another worker image might) still counts Shanghai's business
// hours at +08:00, so every worker computes the same deadlines on replay.
func TestDeadlinesIgnoreTheHostZoneDatabase(t *testing.T) {
	hostzone.Run(t, "zoneinfo/zoneinfo.zip", "Asia/Shanghai", "Asia/Tokyo", func(t *testing.T) {
		p := redress.DefaultPolicy()
		p.BusinessHours.Enabled = true
		shanghai := time.FixedZone("CST", 8*60*60)            // no daylight saving since 1991
		filed := time.Date(2026, 3, 2, 8, 30, 0, 0, shanghai) // a Monday, before opening
		clock, sla := p.Clock(redress.P2), p.SLA[redress.P2]
		for _, c := range []struct {
			name   string
			within time.Duration
			want   time.Time
		}{
			{"acknowledgement", sla.AckWithin.D(), time.Date(2026, 3, 4, 15, 0, 0, 0, shanghai)},
			{"resolution", sla.ResolveWithin.D(), time.Date(2026, 3, 11, 18, 0, 0, 0, shanghai)},
		} {
			if got := clock.Add(filed, c.within); !got.Equal(c.want) {
				t.Errorf("%s due %s, want %s", c.name, got.In(shanghai), c.want)
			}
		}
	})
}

// The embedded database is the one its version names: a new zip without a
// new version, or the reverse, fails here. Update both as zone.go says.
func TestZoneDatabaseIsTheRecordedVersion(t *testing.T) {
	const version, sha = "2025c", "8f55634d05f8bca1f7bc7c69c5933428c69357e0bdf565e5ba224e3f88ff12e8"
	data, err := os.ReadFile("zoneinfo/zoneinfo.zip")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(data)); got != sha || redress.ZoneDatabaseVersion != version {
		t.Errorf("zoneinfo/zoneinfo.zip has sha256 %s and ZoneDatabaseVersion is %s; recorded: %s for %s",
			got, redress.ZoneDatabaseVersion, sha, version)
	}
}

// Every zone the policies of the tests and the deployment name loads.
func TestPolicyZonesLoad(t *testing.T) {
	zones := append([]string{redress.DefaultPolicy().Timezone, "Europe/Berlin", "Asia/Kolkata"}, slamodel.DSTZones...)
	for _, name := range zones {
		loc, err := redress.LoadZone(name)
		if err != nil {
			t.Errorf("LoadZone(%q): %v", name, err)
			continue
		}
		if loc.String() != name {
			t.Errorf("LoadZone(%q) is named %q", name, loc)
		}
	}
}

// Only the database's names load: "Local" and "" would be the host's
// choice, not the policy's.
func TestUnknownZonesDoNotLoad(t *testing.T) {
	for _, name := range []string{"Mars/Olympus", "Local", "", "../zoneinfo.zip", "asia/shanghai"} {
		if loc, err := redress.LoadZone(name); err == nil {
			t.Errorf("LoadZone(%q) = %s, want an error", name, loc)
		}
	}
}
