-- Attachments: files the customer or staff add to a complaint. Their bytes
-- live in the object store (REDRESS_BLOB_URL) under blob_key; this table
-- holds what is known of them. The same file (sha256) under the same name
-- is kept once per complaint, so a retried upload or a mail delivered again
-- adds nothing, and the key's index also finds a complaint's files.
CREATE TABLE attachments (
    id           uuid PRIMARY KEY,
    complaint_id uuid NOT NULL REFERENCES complaints (id),
    filename     text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size > 0),
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    sender       text NOT NULL CHECK (sender IN ('customer', 'staff')),
    made_by      text NOT NULL,
    blob_key     text NOT NULL UNIQUE,
    -- Set once the complaint's timeline records the file, so that a retry
    -- of an upload whose recording failed records it, and no other does.
    on_timeline  boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (complaint_id, sha256, filename)
);
