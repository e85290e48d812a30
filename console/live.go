package console

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/redress-dev/redress/postgres"
)

// hub fans the database's change notifications out to the open pages of
// this process. Every API replica listens for itself, so a change made
// through any replica, or by a worker, reaches every page.
type hub struct {
	db     *postgres.DB
	logger *slog.Logger
	mu     sync.Mutex
	subs   map[chan string]struct{}
	start  sync.Once
	stop   context.CancelFunc
	closed bool
}

func newHub(db *postgres.DB, logger *slog.Logger) *hub {
	return &hub{db: db, logger: logger, subs: map[chan string]struct{}{}, stop: func() {}}
}

// subscribe starts listening with the first page; the channel closes when
// the hub does.
func (h *hub) subscribe() chan string {
	h.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		h.mu.Lock()
		h.stop = cancel
		h.mu.Unlock()
		go h.db.ListenComplaintChanges(ctx, h.logger, h.publish)
	})
	ch := make(chan string, 256)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(ch)
	} else {
		h.subs[ch] = struct{}{}
	}
	return ch
}

func (h *hub) unsubscribe(ch chan string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
	}
}

// publish passes a change to every page; a page too slow to take it misses
// it rather than holding up the others.
func (h *hub) publish(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- id:
		default:
		}
	}
}

// close ends every stream, so that a shutting-down server is not held up by
// open pages.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stop()
	h.closed = true
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

// heartbeat keeps proxies from closing a quiet stream and checks, each
// time, that the person is still signed in.
const heartbeat = 15 * time.Second

// events streams the id of every changed complaint as Server-Sent Events;
// "" asks the page to catch up after a lost connection to the database. A
// stream ends with a signed-out event when the session does.
func (c *Console) events(ctx echo.Context) error {
	w := ctx.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	w.Flush()
	changes := c.live.subscribe()
	defer c.live.unsubscribe(changes)
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Request().Context().Done():
			return nil
		case id, ok := <-changes:
			if !ok {
				return nil
			}
			fmt.Fprintf(w, "event: complaint\ndata: %s\n\n", id)
		case <-beat.C:
			if _, err := c.session(ctx, false); err != nil {
				fmt.Fprint(w, "event: signed-out\ndata: \n\n")
				w.Flush()
				return nil
			}
			fmt.Fprint(w, ": still here\n\n")
		}
		w.Flush()
	}
}
