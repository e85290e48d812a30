// Package activities holds the side effects of the workflows: writes to
// PostgreSQL and, through the outbox, messages to people.
package activities

import (
	"context"

	"github.com/redress-dev/redress"
)

// ApplyChangeName is the registered name of Activities.ApplyChange, which
// workflows run as a local activity.
const ApplyChangeName = "ApplyChange"

// Store is what the activities need of the database.
type Store interface {
	ApplyChange(ctx context.Context, ch redress.Change) error
}

// Activities carries the activities' dependencies; the worker builds it once.
type Activities struct {
	Store Store
}

// ApplyChange projects one step of a complaint's workflow into PostgreSQL:
// state, timeline lines and outbox events, idempotently.
func (a *Activities) ApplyChange(ctx context.Context, ch redress.Change) error {
	return a.Store.ApplyChange(ctx, ch)
}
