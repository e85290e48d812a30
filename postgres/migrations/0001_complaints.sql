-- Customers, complaints, their append-only timeline, intake idempotency keys
-- and the notification outbox.

CREATE TABLE customers (
    id          uuid PRIMARY KEY,
    external_id text UNIQUE,
    name        text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    tier        text NOT NULL DEFAULT 'standard',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE complaints (
    id                  uuid PRIMARY KEY,
    customer_id         uuid NOT NULL REFERENCES customers (id),
    status              text NOT NULL,
    priority            text NOT NULL,
    category            text NOT NULL,
    severity            text NOT NULL,
    channel             text NOT NULL,
    subject             text NOT NULL,
    description         text NOT NULL,
    order_ref           text NOT NULL DEFAULT '',
    escalation_level    int NOT NULL DEFAULT 0,
    sla_breached        boolean NOT NULL DEFAULT false,
    assignee            text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    ack_due_at          timestamptz,
    resolve_due_at      timestamptz,
    acknowledged_at     timestamptz,
    resolved_at         timestamptz,
    closed_at           timestamptz,
    resolution          jsonb,
    survey              jsonb NOT NULL DEFAULT '{}',
    winback             jsonb NOT NULL DEFAULT '{}',
    tracking_token_hash bytea NOT NULL UNIQUE,
    -- The workflow's step that wrote this row last; older writes are ignored.
    seq                 int NOT NULL DEFAULT 1,
    -- False until the complaint's workflow is known to run; the starter
    -- sweeps such rows so that no complaint is left without its workflow.
    workflow_started    boolean NOT NULL DEFAULT false
);

-- Keyset pagination runs newest first on (created_at, id); each filter of the
-- list endpoint has an index that keeps that order.
CREATE INDEX complaints_newest ON complaints (created_at DESC, id DESC);
CREATE INDEX complaints_by_status ON complaints (status, created_at DESC, id DESC);
CREATE INDEX complaints_by_priority ON complaints (priority, created_at DESC, id DESC);
CREATE INDEX complaints_by_category ON complaints (category, created_at DESC, id DESC);
CREATE INDEX complaints_by_customer ON complaints (customer_id, created_at DESC, id DESC);
CREATE INDEX complaints_escalated ON complaints (created_at DESC, id DESC) WHERE escalation_level > 0;
CREATE INDEX complaints_breached ON complaints (created_at DESC, id DESC) WHERE sla_breached;
CREATE INDEX complaints_unstarted ON complaints (created_at) WHERE NOT workflow_started;

CREATE TABLE timeline (
    complaint_id uuid NOT NULL REFERENCES complaints (id),
    seq          int NOT NULL,
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    kind         text NOT NULL,
    public       boolean NOT NULL,
    detail       text NOT NULL,
    PRIMARY KEY (complaint_id, seq)
);

CREATE TABLE idempotency_keys (
    caller       text NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    complaint_id uuid NOT NULL REFERENCES complaints (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);

CREATE TABLE outbox (
    id              text PRIMARY KEY,
    type            text NOT NULL,
    complaint_id    uuid,
    customer_id     uuid,
    occurred_at     timestamptz NOT NULL,
    data            jsonb NOT NULL DEFAULT '{}',
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_error      text NOT NULL DEFAULT ''
);

CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_by_complaint ON outbox (complaint_id, occurred_at);
