// Package temporalutil connects to Temporal and prepares the namespace.
package temporalutil

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/redress-dev/redress/workflows"
)

// Dial connects to the Temporal frontend, waiting up to a minute for it to
// come up (compose starts everything at once). dc encrypts payloads, and
// the failures' messages and stack traces too (a refusal may quote a
// customer's words); every client of the same namespace must use the same
// keys. The client, and the workers built on it, report their metrics to
// metrics.
func Dial(ctx context.Context, address, namespace string, dc converter.DataConverter, metrics client.MetricsHandler, logger *slog.Logger) (client.Client, error) {
	opts := client.Options{HostPort: address, Namespace: namespace, DataConverter: dc, MetricsHandler: metrics,
		Logger: sdklog.NewStructuredLogger(logger),
		FailureConverter: temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
			DataConverter: dc, EncodeCommonAttributes: true})}
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("temporal at %s: %w", address, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// EnsureSearchAttributes registers the complaint workflows' search
// attributes in the namespace, leaving those already there alone.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	ops := c.OperatorService()
	have, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for _, key := range workflows.SearchAttributeKeys {
		if _, ok := have.GetCustomAttributes()[key.GetName()]; !ok {
			missing[key.GetName()] = key.GetValueType()
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing})
	if err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

// EnsureRetention makes Temporal keep closed workflows of the namespace for
// the given time. Past it a complaint's workflow and history are gone from
// Temporal; PostgreSQL keeps the complaint, and actions on it are answered
// from there.
func EnsureRetention(ctx context.Context, c client.Client, namespace string, retention time.Duration) error {
	svc := c.WorkflowService()
	desc, err := svc.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == retention {
		return nil
	}
	_, err = svc.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{Namespace: namespace,
		Config: &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)}})
	if err != nil {
		return fmt.Errorf("set the retention of namespace %s to %s: %w", namespace, retention, err)
	}
	return nil
}
