package e2e

import (
	"context"
	"github.com/redress-dev/redress"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redress-dev/redress/devstack"
	"github.com/redress-dev/redress/redresstest"
)

func expectUnavailable(t *testing.T, what string, r *redresstest.Response) {
	t.Helper()
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" ||
		r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s: %d %q %s; want 503 problem+json with Retry-After", what, r.Status, r.Header.Get("Retry-After"), r.Body)
	}
}

// stoppablePostgres starts a PostgreSQL cluster of the test's own, to stop
// and start again from its directory. The directory is one the postgres user
// can reach, which t.TempDir's private parents are not.
func stoppablePostgres(t *testing.T) (*devstack.Postgres, string) {
	t.Helper()
	parent, err := os.MkdirTemp("", "redress-outage-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pg")
	pg, err := devstack.StartPostgres(context.Background(), dir, "redress")
	if err != nil {
		t.Fatal(err)
	}
	return pg, dir
}

func TestDatabaseOutage(t *testing.T) {
	ctx := context.Background()
	pg, dir := stoppablePostgres(t)
	s := redresstest.StartStack(t, redresstest.StackOptions{DatabaseURL: pg.URL("redress")})
	c := file(t, s, newComplaint("crm-outage"))

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	expectUnavailable(t, "GET during the outage", s.Do("GET", "/v1/complaints/"+c.ID, "dev-agent", nil))
	expectUnavailable(t, "POST during the outage", s.Do("POST", "/v1/complaints", "dev-intake", newComplaint("crm-outage")))
	expectUnavailable(t, "action during the outage", s.Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}))
	ready := s.Do("GET", "/readyz", "", nil)
	if ready.Status != http.StatusServiceUnavailable || !strings.Contains(string(ready.Body), `"database":"unavailable"`) ||
		!strings.Contains(string(ready.Body), `"temporal":"ok"`) {
		t.Errorf("readyz = %d %s", ready.Status, ready.Body)
	}

	pg, err := devstack.StartPostgres(ctx, dir, "redress")
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	if got := s.Complaint(c.ID); got.ID != c.ID {
		t.Errorf("the complaint accepted before the outage is gone")
	}
	if r := s.Do("GET", "/readyz", "", nil); r.Status != http.StatusOK {
		t.Errorf("readyz after recovery = %d %s", r.Status, r.Body)
	}
	s.Close() // before the cluster stops
}

func TestTemporalOutage(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{})
	c := file(t, s, newComplaint("crm-t-outage"))
	if err := s.StopTemporalServer(); err != nil {
		t.Fatal(err)
	}
	// A complaint stored while Temporal is away is the caller's: 202 with
	// the complaint, and the same request again (no key) is that complaint,
	// not a second one.
	var stored, again created
	body := newComplaint("crm-t-outage")
	body["order_ref"] = "ORD-during-the-outage"
	ok(t, "intake without Temporal", s.Do("POST", "/v1/complaints", "dev-intake", body), http.StatusAccepted).JSON(t, &stored)
	r := s.Do("POST", "/v1/complaints", "dev-intake", body)
	ok(t, "the same intake again", r, http.StatusAccepted).JSON(t, &again)
	if stored.ID == "" || stored.TrackingToken == "" || again.ID != stored.ID || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("intake without Temporal: %+v, then %+v (replayed %q); want one complaint with its tracking token", stored, again, r.Header.Get("Idempotent-Replayed"))
	}
	if got := s.Complaint(stored.ID); got.Status != redress.StatusReceived {
		t.Errorf("the complaint stored without Temporal is %q", got.Status)
	}
	expectUnavailable(t, "action without Temporal", s.Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}))
	ready := s.Do("GET", "/readyz", "", nil)
	if ready.Status != http.StatusServiceUnavailable || !strings.Contains(string(ready.Body), `"temporal":"unavailable"`) {
		t.Errorf("readyz = %d %s", ready.Status, ready.Body)
	}
	if got := s.Complaint(c.ID); got.ID != c.ID {
		t.Error("complaints stay readable while Temporal is down")
	}
}
