package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The profiles are served at their own address while the process runs, and
// no longer once it stops.
func TestProfilesServedAtTheirOwnAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := serveProfiles(ctx, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("GET /debug/pprof/ = %d %.200s", resp.StatusCode, body)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := http.Get("http://" + addr + "/debug/pprof/"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("profiles still served after the process's context ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := serveProfiles(context.Background(), "127.0.0.1:bad", slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a bad address must be refused")
	}
}
