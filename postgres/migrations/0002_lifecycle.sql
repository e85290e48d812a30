-- The rest of the lifecycle: survey tokens, purchases for win-back.

-- The hash of the current survey round's token; kept after the survey is
-- answered or expires so that a used link can be told from a wrong one.
ALTER TABLE complaints ADD COLUMN survey_token_hash bytea UNIQUE;

CREATE TABLE purchases (
    id          uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    amount      numeric(14, 2) NOT NULL,
    currency    text NOT NULL,
    at          timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX purchases_by_customer ON purchases (customer_id, at);

-- Win-back lines share the timeline with the complaint's own steps; the
-- timeline is read in time order.
CREATE INDEX timeline_by_time ON timeline (complaint_id, at, seq);
