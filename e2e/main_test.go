// Package e2e drives Redress over HTTP against the real stack: PostgreSQL,
// the embedded Temporal server, the worker and the API.
package e2e

import (
	"testing"

	"github.com/redress-dev/redress/redresstest"
)

func TestMain(m *testing.M) { redresstest.Main(m) }

// fastPolicy shortens every clock so a lifecycle runs in seconds.
const fastPolicy = `
sla:
  P1: {ack_within: 2s, resolve_within: 20s}
  P2: {ack_within: 3s, resolve_within: 30s}
  P3: {ack_within: 3s, resolve_within: 30s}
  P4: {ack_within: 3s, resolve_within: 30s}
ack_warning_at: 0.5
`

// slowPolicy keeps the clocks out of the way of tests about other things.
const slowPolicy = ``

// newComplaint is a complaint body for the customer with this external id
// and an e-mail of its own (a shared e-mail would name two customers).
// The same request again within minutes is taken for a retry of the first
// (intake.SameRequestWindow): a test that files two complaints for one
// customer tells them apart (an order_ref, say).
func newComplaint(externalID string) map[string]any {
	return map[string]any{
		"customer":    map[string]any{"external_id": externalID, "name": "Li Wei", "email": externalID + "@example.com"},
		"channel":     "web",
		"subject":     "Parcel never arrived",
		"description": "The courier marked it delivered but nothing came.",
	}
}
