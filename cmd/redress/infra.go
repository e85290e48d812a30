package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/redress-dev/redress/config"
	"github.com/redress-dev/redress/devstack"
	"github.com/redress-dev/redress/staff"
)

// runInfra starts what the production shape runs beside Redress
// (PostgreSQL, Temporal on PostgreSQL with several history shards, the Web
// UI) and writes the settings that `redress api` and `redress worker`
// processes need to join it into infra.env under the data dir.
func runInfra(ctx context.Context, cfg *config.Config, logger *slog.Logger, began time.Time, devAccounts bool) error {
	keys, err := config.InfraKeys(cfg.DataDir)
	if err != nil {
		return err
	}
	stack, err := devstack.Start(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer stack.Close()
	if devAccounts {
		if err := staff.EnsureDevUsers(ctx, stack.DB, cfg.DevPassword); err != nil {
			return err
		}
	}
	envFile := filepath.Join(cfg.DataDir, "infra.env")
	settings := map[string]string{
		"DATABASE_URL":            cfg.DatabaseURL,
		"TEMPORAL_ADDRESS":        cfg.TemporalAddress,
		"TEMPORAL_NAMESPACE":      cfg.TemporalNamespace,
		"REDRESS_API_KEYS":        keys,
		"REDRESS_TOKEN_SECRET":    cfg.TokenSecret,
		"REDRESS_PAYLOAD_KEYS":    cfg.PayloadKeys,
		"REDRESS_DATA_KEYS":       cfg.DataKeys,
		"REDRESS_CODEC_ORIGINS":   cfg.CodecOrigins,
		"REDRESS_TEMPORAL_UI_URL": stack.UIURL,
		"REDRESS_PUBLIC_URL":      cfg.PublicURL,
	}
	if cfg.PolicyFile != "" {
		settings["REDRESS_POLICY"] = cfg.PolicyFile
	}
	var lines []string
	for _, name := range sortedNames(settings) {
		lines = append(lines, name+"='"+settings[name]+"'")
	}
	if err := os.WriteFile(envFile, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	fmt.Printf(`
Redress's infrastructure is ready (%.1fs).
  Temporal     %s (namespace %s), on PostgreSQL with %d history shards
  Web UI       %s
  PostgreSQL   %s
  Settings     %s (the API keys are in it)
Start the API and the workers beside it, as many as you like, each in its own shell:
  set -a; . %s; set +a
  redress api    --http-addr :8080
  redress worker --metrics-addr :9464
Press Ctrl-C to stop.
`, time.Since(began).Seconds(), cfg.TemporalAddress, cfg.TemporalNamespace, cfg.TemporalShards, stack.UIURL,
		postgresWhere(cfg.DatabaseURL, stack.PostgresDir), envFile, envFile)
	<-ctx.Done()
	fmt.Println("Stopping…")
	return nil
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
