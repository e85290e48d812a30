-- One customer, one story: intake never refuses a complaint over its
-- customer's details. A new external id whose e-mail or phone belongs to
-- another customer makes a new customer that points at the one it may be
-- the same person as, for a person to merge or dismiss; the e-mail or phone
-- stays with the customer that had it first (the new one stores it without
-- its match key, as migration 0004 did for older duplicates).
ALTER TABLE customers
    ADD COLUMN possible_duplicate_of uuid REFERENCES customers (id),
    -- The language the customer writes in, once known ('' until then): the
    -- language of the messages Redress sends them.
    ADD COLUMN language text NOT NULL DEFAULT '';

CREATE INDEX customers_possible_duplicates ON customers (possible_duplicate_of)
    WHERE possible_duplicate_of IS NOT NULL;
