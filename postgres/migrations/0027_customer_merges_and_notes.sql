-- Customers merged (SPEC section 11): the customer merged away keeps its
-- row, its change log and its keys, and points at the one it became
-- (merged_into, always the last of a chain: a merge re-points the customers
-- merged into the one merged away). Intake, matching by its keys or given
-- its id, files for the customer it became.
ALTER TABLE customers
    ADD COLUMN merged_into uuid REFERENCES customers (id),
    ADD COLUMN merged_at timestamptz,
    ADD CONSTRAINT customers_not_merged_into_itself CHECK (merged_into <> id);

CREATE INDEX customers_merged_into ON customers (merged_into) WHERE merged_into IS NOT NULL;

-- Internal notes about a customer, for staff only, with who wrote them.
CREATE TABLE customer_notes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    at          timestamptz NOT NULL DEFAULT now(),
    made_by     text NOT NULL,
    note        text NOT NULL CHECK (length(note) BETWEEN 1 AND 5000)
);

CREATE INDEX customer_notes_by_customer ON customer_notes (customer_id, id);
