package devstack

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql" // registers postgres12_pgx
	schematool "go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/protobuf/types/known/durationpb"
)

// The databases a Temporal cluster on PostgreSQL keeps, named after
// Redress's own so that several stacks can share a server, and the
// server's schema for each (embedded in go.temporal.io/server/schema).
var temporalDatabases = []struct{ suffix, schema string }{
	{"_temporal", "postgresql/v12/temporal"},
	{"_temporal_visibility", "postgresql/v12/visibility"},
}

// postgresPersistence creates Temporal's two databases (conn.DatabaseName
// with _temporal and _temporal_visibility after it) on the server that
// conn reaches when they are missing and brings their schemas to the
// server's version with the server's own schema tool, as
// temporal-sql-tool's create, setup-schema and update-schema would. The
// number of history shards is fixed by the first start: the server keeps
// the first one it was given.
func postgresPersistence(conn config.SQL, shards int, logger log.Logger) (config.Persistence, error) {
	conn.PluginName, conn.ConnectProtocol = "postgres12_pgx", "tcp"
	conn.ConnectAttributes = map[string]string{"sslmode": "disable"}
	if conn.MaxConns == 0 {
		conn.MaxConns, conn.MaxIdleConns, conn.MaxConnLifetime = 20, 20, time.Hour
	}
	stores := map[string]config.DataStore{}
	for _, db := range temporalDatabases {
		store := conn
		store.DatabaseName = conn.DatabaseName + db.suffix
		if err := upgradeSchema(store, db.schema, logger); err != nil {
			return config.Persistence{}, fmt.Errorf("temporal: database %s: %w", store.DatabaseName, err)
		}
		stores[db.suffix[1:]] = config.DataStore{SQL: &store}
	}
	return config.Persistence{
		DefaultStore:     "temporal",
		VisibilityStore:  "temporal_visibility",
		NumHistoryShards: int32(shards),
		DataStores:       stores,
	}, nil
}

// upgradeSchema creates the database if need be and applies the schema's
// versions it does not have yet; run again, it changes nothing.
func upgradeSchema(store config.SQL, schemaName string, logger log.Logger) error {
	create := store // DoCreateDatabase overwrites the name it connects with
	if err := sqltool.DoCreateDatabase(&create, "", logger); err != nil {
		return err
	}
	conn, err := sqltool.NewConnection(&store, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := schematool.NewSetupSchemaTask(conn, &schematool.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
		return err
	}
	return schematool.NewUpdateSchemaTask(conn, &schematool.UpdateConfig{SchemaName: schemaName}, logger).Run()
}

// registerNamespace registers the namespace once the frontend answers; a
// namespace that exists is left as it is (the worker sets its retention).
func registerNamespace(address, namespace string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		err := func() error {
			nc, err := client.NewNamespaceClient(client.Options{HostPort: address})
			if err != nil {
				return err
			}
			defer nc.Close()
			return nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
				Namespace: namespace, WorkflowExecutionRetentionPeriod: durationpb.New(72 * time.Hour)})
		}()
		var exists *serviceerror.NamespaceAlreadyExists
		if err == nil || errors.As(err, &exists) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporal: register namespace %s: %w", namespace, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
