package redresstest

import (
	"testing"
	"time"
)

// InfraProcess is `redress dev --only infra` as a process of its own over
// a PostgreSQL the test runs: Temporal persisted there with four history
// shards, and the Web UI. Kill and Start take the Temporal server away and
// bring it back on the same data, as a crash and a restart of a Temporal
// cluster would.
type InfraProcess struct {
	*Process
	DatabaseURL     string
	TemporalAddress string
	env             []string
}

// StartInfraProcess starts the infrastructure over the PostgreSQL database
// at databaseURL and waits until it is ready.
func StartInfraProcess(t testing.TB, databaseURL string) *InfraProcess {
	t.Helper()
	p := &InfraProcess{DatabaseURL: databaseURL, TemporalAddress: freePortBlock(t)}
	p.env = []string{"DATABASE_URL=" + databaseURL, "TEMPORAL_ADDRESS=" + p.TemporalAddress,
		"REDRESS_DATA_DIR=" + t.TempDir(), "REDRESS_TEMPORAL_SHARDS=4"}
	p.Start(t)
	return p
}

// Start starts the infrastructure again after Kill, on the same data and
// address, and waits until it is ready.
func (p *InfraProcess) Start(t testing.TB) {
	t.Helper()
	p.Process = StartProcess(t, p.env, "dev", "--only", "infra", "--ui-port", FreePort(t))
	p.WaitOutput(t, "infrastructure is ready", 2*time.Minute)
}
