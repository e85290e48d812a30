// Package devstack runs the whole of Redress in one process for a developer
// or an evaluator: a PostgreSQL cluster of its own, an embedded Temporal
// server persisted in SQLite (or in PostgreSQL, the production shape), the
// Temporal Web UI, the worker and the API.
package devstack

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// TemporalServer is an embedded Temporal server whose state lives in a
// database, so that timers and histories survive a restart.
type TemporalServer struct {
	server  temporal.Server
	address string
}

// TemporalStore says where the embedded server keeps its state: one SQLite
// file (one history shard), or, when Postgres is set, two databases of a
// PostgreSQL server named after Postgres.DatabaseName, with Shards history
// shards, as a production cluster keeps it.
type TemporalStore struct {
	SQLite   string
	Postgres *config.SQL
	Shards   int
}

// StartTemporal starts the server with its frontend at address (host:port),
// creating the databases, their schemas and the namespace on first use.
// settings override the server's dynamic configuration by key
// (history.maxTotalUpdates, ...), so that a test can reach an engine limit
// in seconds.
func StartTemporal(store TemporalStore, address, namespace string, logger log.Logger, settings map[string]any) (*TemporalServer, error) {
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("temporal address %q: %w", address, err)
	}
	frontendPort, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("temporal address %q: bad port", address)
	}
	var persistence config.Persistence
	if store.Postgres != nil {
		// The cluster's membership table keeps ports in a smallint.
		if frontendPort+7 > 32767 {
			return nil, fmt.Errorf("temporal on postgres: the frontend's port %d and the seven after it must be below 32768, where Temporal's membership table on PostgreSQL keeps them", frontendPort)
		}
		if persistence, err = postgresPersistence(*store.Postgres, store.Shards, logger); err != nil {
			return nil, err
		}
	} else if persistence, err = sqlitePersistence(store.SQLite, namespace); err != nil {
		return nil, err
	}

	cfg, err := serverConfig(persistence, host, frontendPort)
	if err != nil {
		return nil, err
	}
	dynamic := DynamicConfig()
	for key, value := range settings {
		dynamic[dynamicconfig.MakeKey(key)] = []dynamicconfig.ConstrainedValue{{Value: value}}
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamic),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("temporal: start: %w", err)
	}
	if store.Postgres != nil {
		if err := registerNamespace(address, namespace); err != nil {
			_ = srv.Stop()
			return nil, err
		}
	}
	return &TemporalServer{server: srv, address: address}, nil
}

// DynamicConfig is the server's dynamic configuration, which
// docker-compose.yml gives its Temporal server too
// (deploy/temporal/dynamicconfig.yaml).
func DynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Let Schedules and search attributes registered a moment ago be
		// used at once, as the dev server of the Temporal CLI does.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): []dynamicconfig.ConstrainedValue{{Value: true}},
	}
}

// sqlitePersistence keeps the server's state in one file, creating it and
// the namespace on first use.
func sqlitePersistence(path, namespace string) (config.Persistence, error) {
	store := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		// WAL lets readers and the writer work at once; synchronous=FULL makes
		// every commit durable before Temporal acknowledges it.
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "2"},
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := sqlite.SetupSchema(store); err != nil {
			return config.Persistence{}, fmt.Errorf("temporal: create schema: %w", err)
		}
	}
	ns, err := sqlite.NewNamespaceConfig("active", namespace, false, nil)
	if err != nil {
		return config.Persistence{}, err
	}
	if err := sqlite.CreateNamespaces(store, ns); err != nil {
		return config.Persistence{}, fmt.Errorf("temporal: create namespace: %w", err)
	}
	return config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: store}},
	}, nil
}

// Stop shuts the server down.
func (t *TemporalServer) Stop() error { return t.server.Stop() }

// serverConfig lays the four services out on loopback: the frontend at the
// given port and the others on the seven ports after it. The ports must be
// the same at every start: the membership table remembers them, and a
// restarted server would otherwise wait half a minute for the previous run's
// members to answer.
func serverConfig(persistence config.Persistence, host string, frontendPort int) (*config.Config, error) {
	ports := make([]int, 7)
	for i := range ports {
		ports[i] = frontendPort + 1 + i
		if l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(ports[i]))); err != nil {
			return nil, fmt.Errorf("temporal: port %d, next to the frontend's %d, is taken: %w", ports[i], frontendPort, err)
		} else {
			l.Close()
		}
	}
	service := func(grpcPort, membershipPort int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: grpcPort, MembershipPort: membershipPort, BindOnIP: host}}
	}
	frontend := fmt.Sprintf("%s:%d", host, frontendPort)
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host},
		},
		Persistence: persistence,
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        "active",
			CurrentClusterName:       "active",
			ClusterInformation: map[string]cluster.ClusterInformation{
				"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(frontendPort, ports[0]),
			"history":  service(ports[1], ports[2]),
			"matching": service(ports[3], ports[4]),
			"worker":   service(ports[5], ports[6]),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}, nil
}
