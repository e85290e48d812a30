-- Loyalty (SPEC section 13): tiers earned by purchases, points in a ledger,
-- and coupons that a win-back issues and a purchase redeems.

-- A tier set by staff is pinned: loyalty never moves it. tier_below_since
-- is when the customer fell below their tier's threshold; the daily
-- recompute lowers the tier once loyalty.downgrade_after has passed.
ALTER TABLE customers
    ADD COLUMN tier_pinned      boolean NOT NULL DEFAULT false,
    ADD COLUMN tier_below_since timestamptz,
    -- The balance, kept in the same transaction as every ledger line: the
    -- ledger is the truth, the balance its sum.
    ADD COLUMN points           bigint NOT NULL DEFAULT 0 CHECK (points >= 0);

-- Why a change was made, when a rule made it (a tier earned or lost).
ALTER TABLE customer_changes ADD COLUMN reason text NOT NULL DEFAULT '';

CREATE INDEX customers_loyalty_review ON customers (id)
    WHERE merged_into IS NULL AND NOT tier_pinned AND (tier <> 'standard' OR tier_below_since IS NOT NULL);

-- Every movement of points. An earning or a grant is a lot that expires at
-- expires_at, with what is left of it in remaining: a redemption takes
-- from the lots that expire first, and what is left of a lot when it
-- expires is written off.
CREATE TABLE points_ledger (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  uuid NOT NULL REFERENCES customers (id),
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text NOT NULL CHECK (kind IN ('earned', 'granted', 'redeemed', 'expired')),
    points       bigint NOT NULL CHECK (points <> 0),
    expires_at   timestamptz,
    reference    text NOT NULL DEFAULT '', -- a redemption's, unique per customer; a grant's complaint
    purchase_id  uuid REFERENCES purchases (id),
    complaint_id uuid REFERENCES complaints (id),
    made_by      text NOT NULL,
    remaining    bigint CHECK (remaining >= 0 AND remaining <= points), -- a lot's; null on spending lines
    CHECK ((kind IN ('earned', 'granted')) = (points > 0)),
    CHECK ((kind IN ('earned', 'granted')) = (remaining IS NOT NULL))
);

CREATE INDEX points_ledger_by_customer ON points_ledger (customer_id, id);
CREATE UNIQUE INDEX points_redeemed_once ON points_ledger (customer_id, reference) WHERE kind = 'redeemed';
CREATE UNIQUE INDEX points_granted_once ON points_ledger (complaint_id) WHERE kind = 'granted';
CREATE INDEX points_lots ON points_ledger (customer_id, expires_at, id) WHERE remaining > 0;
CREATE INDEX points_to_expire ON points_ledger (expires_at) WHERE remaining > 0;

-- A win-back's coupon: its code is a credential, kept as a hash for lookup
-- and sealed for the customer's page.
CREATE TABLE coupons (
    code_hash       bytea PRIMARY KEY,
    code            text NOT NULL,
    workflow_run_id text NOT NULL UNIQUE REFERENCES winbacks (workflow_run_id),
    customer_id     uuid NOT NULL REFERENCES customers (id),
    percent         numeric(5, 2) NOT NULL,
    expires_at      timestamptz NOT NULL,
    redeemed_at     timestamptz,
    order_ref       text,
    amount          numeric(14, 2),
    currency        text,
    purchase_id     uuid REFERENCES purchases (id)
);

CREATE INDEX coupons_by_customer ON coupons (customer_id);

-- A purchase made with a coupon names it; a win-back whose policy counts
-- only coupons looks for one.
ALTER TABLE purchases ADD COLUMN coupon_run_id text;

-- What a win-back was offered to: analytics by tier.
ALTER TABLE winbacks ADD COLUMN tier text NOT NULL DEFAULT '';

-- The row of the SLA table whose windows a complaint keeps: sla.P2, or
-- sla_by_tier.<tier>.P2 (SPEC section 13).
ALTER TABLE complaints ADD COLUMN sla_row text NOT NULL DEFAULT '';

-- The published policies in force when a complaint was filed, by name.
ALTER TABLE complaints ADD COLUMN policy_versions jsonb NOT NULL DEFAULT '{}';

-- The account team's follow-up of a resolution (policy followup): when it
-- falls due, as the workflow projects it, and what came of it, as the team
-- records it (the note sealed with the customer's key).
ALTER TABLE complaints
    ADD COLUMN followup_due_at      timestamptz,
    ADD COLUMN followup_outcome     text,
    ADD COLUMN followup_note        text,
    ADD COLUMN followup_recorded_at timestamptz,
    ADD COLUMN followup_recorded_by text;

CREATE INDEX complaints_followups_open ON complaints (followup_due_at)
    WHERE followup_due_at IS NOT NULL AND followup_recorded_at IS NULL;
