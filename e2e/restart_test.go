package e2e

import (
	"context"
	"crypto/sha256"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"
	"github.com/redress-dev/redress/redresstest"
)

// A complaint filed before a restart keeps its clocks: its acknowledgement
// window runs out while the stack is down and escalates once it is back.
func TestComplaintSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	first := redresstest.StartStack(t, redresstest.StackOptions{Policy: fastPolicy, DataDir: dir})
	opts := redresstest.StackOptions{Policy: fastPolicy, DataDir: dir, DatabaseURL: first.Config.DatabaseURL,
		TemporalAddress: first.Config.TemporalAddress}
	c := file(t, first, newComplaint("crm-restart"))
	if err := first.Close(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	time.Sleep(4 * time.Second) // past the 3s acknowledgement window

	second := redresstest.StartStack(t, opts)
	got := second.WaitFor(c.ID, 15*time.Second, "the breach escalation", func(c *redress.Complaint) bool { return c.EscalationLevel >= 1 })
	if !got.SLABreached {
		t.Errorf("after the restart: %+v", got.State)
	}
	if r := second.Do("POST", "/v1/complaints/"+c.ID+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}); r.Status != http.StatusOK {
		t.Errorf("acknowledge after the restart = %d %s", r.Status, r.Body)
	}
}

// A window that follows a breach starts at the breached deadline, not when
// the stack came back: a complaint whose acknowledgement window ran out while
// everything was down is due again one window after that deadline, so an
// outage never gives the next level more time.
func TestWindowAfterABreachStartsAtTheDeadline(t *testing.T) {
	const window = 8 * time.Second
	policy := redresstest.AckWindowPolicy(window)
	dir := t.TempDir()
	first := redresstest.StartStack(t, redresstest.StackOptions{Policy: policy, DataDir: dir})
	c := file(t, first, newComplaint("crm-late-window"))
	if c.AckDueAt == nil {
		t.Fatalf("filed with no acknowledgement deadline: %+v", c.State)
	}
	breached := *c.AckDueAt
	if err := first.Close(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// Back half a window after the deadline: late, but before the window
	// that follows it ends.
	time.Sleep(time.Until(breached.Add(window / 2)))

	second := redresstest.StartStack(t, redresstest.StackOptions{Policy: policy, DataDir: dir,
		DatabaseURL: first.Config.DatabaseURL, TemporalAddress: first.Config.TemporalAddress})
	got := second.WaitFor(c.ID, 15*time.Second, "the breach escalation", func(c *redress.Complaint) bool { return c.EscalationLevel >= 1 })
	if got.EscalationLevel != 1 || got.AckDueAt == nil || got.AckDueAt.Sub(breached.Add(window)).Abs() > time.Millisecond {
		t.Errorf("after the restart: level %d, acknowledgement due %v; want level 1, due %v, one window after the breached deadline %v",
			got.EscalationLevel, got.AckDueAt, breached.Add(window), breached)
	}
}

// A complaint stored by an intake that crashed before starting its workflow
// gets its workflow from the worker's sweep.
func TestStoredButUnstartedComplaintIsStarted(t *testing.T) {
	s := redresstest.StartStack(t, redresstest.StackOptions{Policy: fastPolicy})
	ctx := context.Background()
	cu, _, err := s.DB.UpsertCustomer(ctx, redress.Customer{ExternalID: "crm-crash", Email: "c@d.cn"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Microsecond)
	ackDue, resolveDue := at.Add(time.Hour), at.Add(2*time.Hour)
	id := uuid.Must(uuid.NewV7()).String()
	hash := sha256.Sum256([]byte(id))
	filing := postgres.Filing{
		Complaint: redress.Complaint{ID: id, CustomerID: cu.ID, Category: redress.CategoryBilling, Severity: redress.SeverityLow,
			Channel: redress.ChannelEmail, Subject: "Charged twice", Description: "d", CreatedAt: at,
			State: redress.State{Status: redress.StatusReceived, Priority: redress.P4, AckDueAt: &ackDue, ResolveDueAt: &resolveDue}},
		TrackingTokenHash: hash[:],
		Received:          redress.TimelineEntry{At: at, Actor: "email", Kind: "received", Public: true, Detail: "received"},
		ReceivedEvent:     redress.Event{ID: id + "-1", Type: redress.EventReceived, OccurredAt: at, ComplaintID: id},
	}
	_, err = s.DB.CreateComplaint(ctx, postgres.Intake{Customer: redress.Customer{ID: cu.ID},
		Build: func(*redress.Customer, []redress.DuplicateCandidate) postgres.Filing { return filing }})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := s.Temporal.DescribeWorkflowExecution(ctx, redress.ComplaintWorkflowID(id), "")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sweep did not start the workflow: %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if r := s.Do("POST", "/v1/complaints/"+id+"/acknowledge", "dev-agent", map[string]string{"agent": "ana"}); r.Status != http.StatusOK {
		t.Errorf("acknowledge = %d %s", r.Status, r.Body)
	}
}
