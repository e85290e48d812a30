-- Webhook endpoints managed over the API (SPEC section 14), beside the
-- environment's REDRESS_WEBHOOK_URL. Each endpoint gets its own deliveries,
-- in order per complaint and apart from every other endpoint's.
CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY,
    url             text NOT NULL,
    event_types     text[] NOT NULL DEFAULT '{}', -- none: every event
    enabled         boolean NOT NULL DEFAULT true,
    secret          text NOT NULL,                -- sealed with the webhooks' key
    previous_secret text,                         -- signs too, until previous_until: a rotation's overlap
    previous_until  timestamptz,
    failing_since   timestamptz,                  -- the first failure since the last success
    disabled_reason text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    message_id      text NOT NULL REFERENCES outbox (id),
    order_key       text NOT NULL, -- the complaint (else the customer, else the event): delivered in order
    -- failed: it kept failing for as long as an endpoint may (a day) and was
    -- set aside, so that the events after it go on; redelivery retries it.
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_token     text,
    response_code   int,
    latency_ms      int,
    last_error      text NOT NULL DEFAULT '',
    first_failed_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (endpoint_id, message_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_in_order ON webhook_deliveries (endpoint_id, order_key, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id DESC);
