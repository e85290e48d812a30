-- REDRESS_WEBHOOK_URL becomes an endpoint like the others (SPEC section 14):
-- one row, kept by the worker from the environment, with the same delivery
-- log, order per complaint, retries and disabling as the endpoints managed
-- over the API. The outbox's own "webhook" channel is gone; the events it had
-- not yet delivered are carried over when the row is first made.
ALTER TABLE webhook_endpoints
    ADD COLUMN managed_by text NOT NULL DEFAULT 'api' CHECK (managed_by IN ('api', 'environment'));

CREATE UNIQUE INDEX webhook_endpoints_one_environment ON webhook_endpoints (managed_by) WHERE managed_by = 'environment';
