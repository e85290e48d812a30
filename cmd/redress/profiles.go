package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveProfiles serves Go's runtime profiles (net/http/pprof) at addr until
// ctx ends, for an operator to see where a process spends its CPU and
// memory. It is off unless REDRESS_PPROF_ADDR is set; keep that address on
// loopback or a private network, as the profiles show the program's inner
// workings and a CPU profile costs the process while it is taken. It
// returns the address it listens at.
func serveProfiles(ctx context.Context, addr string, logger *slog.Logger) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("profiles: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() { _ = srv.Serve(l) }()
	logger.Info("serving profiles", "addr", "http://"+l.Addr().String()+"/debug/pprof/")
	return l.Addr().String(), nil
}
