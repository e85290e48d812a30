-- One row per win-back run, a campaign's or a complaint's: the churn query
-- leaves out customers with one under way or lately finished, and a
-- customer's record lists them. A complaint that triggered one keeps its own
-- copy of the state in complaints.winback.
CREATE TABLE winbacks (
    workflow_run_id text PRIMARY KEY,
    customer_id     uuid NOT NULL REFERENCES customers (id),
    complaint_id    uuid REFERENCES complaints (id), -- null for a campaign's
    reason          text NOT NULL,
    offer           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('offered', 'finished')),
    outcome         text CHECK (outcome IN ('won_back', 'lost')),
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz
);

CREATE INDEX winbacks_by_customer ON winbacks (customer_id, started_at DESC);

-- Win-backs begun before this table are rebuilt from their outbox events,
-- whose ids are winback-<customer id>-<run id>-<event type>, so that the
-- next campaign does not court their customers again.
WITH offered AS (
    SELECT customer_id, complaint_id, data->>'offer' AS offer, occurred_at,
           left(id, length(id) - length(type)) AS prefix,
           length('winback-' || customer_id || '-') AS run_from
    FROM outbox
    WHERE type = 'winback.offered' AND id LIKE ('winback-' || customer_id || '-%'))
INSERT INTO winbacks (workflow_run_id, customer_id, complaint_id, reason, offer, status, outcome, started_at, finished_at)
SELECT substr(o.prefix, o.run_from + 1, length(o.prefix) - o.run_from - 1), o.customer_id, o.complaint_id,
       coalesce(f.data->>'reason', ''), coalesce(o.offer, ''),
       CASE WHEN e.id IS NULL THEN 'offered' ELSE 'finished' END,
       substr(e.type, length('winback.') + 1), o.occurred_at, e.occurred_at
FROM offered o
LEFT JOIN outbox f ON f.id = o.prefix || 'winback.follow_up'
LEFT JOIN outbox e ON e.id IN (o.prefix || 'winback.won_back', o.prefix || 'winback.lost')
ON CONFLICT DO NOTHING;
