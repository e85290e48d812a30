-- Customer identity: a described customer is matched by external id, else by
-- e-mail, else by phone, on normalised keys that PostgreSQL keeps unique; and
-- every change to a customer is recorded.

-- The match keys. An e-mail matches when it is the same trimmed and
-- lower-cased (plus-tags and dots stay significant); a phone when its digits
-- and its leading + are the same (separators are ignored). NULL: no key.
CREATE FUNCTION customer_email_key(email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nullif(lower(btrim(email)), '') $$;

CREATE FUNCTION customer_phone_key(phone text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN digits = '' THEN NULL
                      WHEN btrim(phone) LIKE '+%' THEN '+' || digits
                      ELSE digits END
          FROM regexp_replace(phone, '[^0-9]', '', 'g') AS digits $$;

-- The customer that a key matches: the store sets a key with the e-mail or
-- phone it belongs to. A customer whose e-mail or phone is stored without its
-- key shares it with an older customer (see below) and is matched only by id
-- or external id.
ALTER TABLE customers ADD COLUMN email_key text, ADD COLUMN phone_key text;

-- Customers created before this migration may share an e-mail or a phone.
-- Merging them would move complaints, purchases and running win-backs between
-- customers without anyone deciding it, so each key goes to the oldest
-- customer that has it and the others keep their details without the key.
-- Find them with
--   SELECT id, email FROM customers WHERE email_key IS NULL AND customer_email_key(email) IS NOT NULL
-- (and the same for phone), and merge or correct them by hand.
UPDATE customers SET email_key = oldest.key
FROM (SELECT DISTINCT ON (customer_email_key(email)) id, customer_email_key(email) AS key
      FROM customers WHERE customer_email_key(email) IS NOT NULL
      ORDER BY customer_email_key(email), created_at, id) AS oldest
WHERE customers.id = oldest.id;

UPDATE customers SET phone_key = oldest.key
FROM (SELECT DISTINCT ON (customer_phone_key(phone)) id, customer_phone_key(phone) AS key
      FROM customers WHERE customer_phone_key(phone) IS NOT NULL
      ORDER BY customer_phone_key(phone), created_at, id) AS oldest
WHERE customers.id = oldest.id;

CREATE UNIQUE INDEX customers_email_key ON customers (email_key) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX customers_phone_key ON customers (phone_key) WHERE phone_key IS NOT NULL;

-- Who changed a customer, when, through which complaint's intake if any, and
-- each changed field as {"from": ..., "to": ...}. A customer's creation is a
-- change from nothing.
CREATE TABLE customer_changes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  uuid NOT NULL REFERENCES customers (id),
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text NOT NULL,
    source       text NOT NULL,
    complaint_id uuid REFERENCES complaints (id),
    fields       jsonb NOT NULL
);

CREATE INDEX customer_changes_by_customer ON customer_changes (customer_id, id);
