-- Each retention campaign's result, kept past Temporal's retention: what
-- GET /v1/campaigns/{id} answers once the campaign's workflow is gone.
CREATE TABLE campaigns (
    id          text PRIMARY KEY,
    dry_run     boolean NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    result      jsonb NOT NULL
);
