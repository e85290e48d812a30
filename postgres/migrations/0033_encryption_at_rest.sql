-- Personal data encrypted at rest (SPEC section 12): a data key per
-- customer, wrapped by a key-encryption key of REDRESS_DATA_KEYS; the
-- index key of the keyed lookup and search hashes, wrapped the same way;
-- the hashes that stand in for e-mails, phones and texts; and what an
-- erasure records. The values themselves are sealed by the application,
-- new rows as they are written and older ones by the sealing job.

-- A destroyed key keeps its row, so that the customer's sealed values are
-- known to be unreadable rather than missing a key. No foreign key: a key
-- is read and made beside transactions that lock the customer's row.
CREATE TABLE customer_keys (
    customer_id  uuid PRIMARY KEY,
    kek_id       text,
    wrapped      bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CHECK ((destroyed_at IS NULL) = (wrapped IS NOT NULL AND kek_id IS NOT NULL))
);
CREATE INDEX customer_keys_by_kek ON customer_keys (kek_id) WHERE kek_id IS NOT NULL;

CREATE TABLE data_keys (
    name       text PRIMARY KEY,
    kek_id     text NOT NULL,
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_keys_by_kek ON data_keys (kek_id);

-- email_hash finds every customer with an address (the portal shows them
-- all); email_key, the unique match key, is one of them.
ALTER TABLE customers
    ADD COLUMN email_hash text,
    ADD COLUMN search_grams int4[],
    ADD COLUMN erasure_requested_at timestamptz,
    ADD COLUMN erasure_requested_by text,
    ADD COLUMN erasure_reason text,
    ADD COLUMN erased_at timestamptz;
CREATE INDEX customers_by_email_hash ON customers (email_hash) WHERE email_hash IS NOT NULL;
CREATE INDEX customers_grams ON customers USING gin (search_grams);
CREATE INDEX customers_erasing ON customers (erasure_requested_at) WHERE erasure_requested_at IS NOT NULL AND erased_at IS NULL;

ALTER TABLE complaints
    ADD COLUMN search_grams int4[],
    ADD COLUMN anonymized_at timestamptz;
CREATE INDEX complaints_grams ON complaints USING gin (search_grams);
CREATE INDEX complaints_to_anonymize ON complaints (id) WHERE anonymized_at IS NULL AND status IN ('closed', 'merged');

-- key_owner is the customer whose data key encrypted a file's bytes (a
-- merge may move the file's complaint to another customer); NULL for a
-- file stored before encryption, read as it is until the sealing job
-- rewrites it. A file's name is sealed, so the same file under the same
-- name is told by the name's keyed hash.
ALTER TABLE attachments ADD COLUMN key_owner uuid, ADD COLUMN filename_hash text,
    ADD COLUMN erased boolean NOT NULL DEFAULT false;
CREATE INDEX attachments_clear ON attachments (id) WHERE key_owner IS NULL;
-- A file whose complaint was anonymized, whose bytes the attachment store
-- has yet to delete.
CREATE INDEX attachments_erased ON attachments (id) WHERE erased;
ALTER TABLE attachments DROP CONSTRAINT attachments_complaint_id_sha256_filename_key;
CREATE UNIQUE INDEX attachments_same_file ON attachments (complaint_id, sha256, filename_hash);

-- The clear-text indexes go: they held every name, address and text. The
-- e-mail lookups of the portal and of inbound mail use email_hash.
DROP INDEX complaints_search;
DROP INDEX customers_search;
DROP INDEX customers_by_email;

-- The portal's links and sessions named the address in clear; they name
-- its keyed hash now. Whoever was signed in signs in again.
DELETE FROM portal_links;
DELETE FROM portal_sessions;

-- A sealed note is longer than its text; the API and the console bound
-- the text.
ALTER TABLE customer_notes DROP CONSTRAINT customer_notes_note_check;
