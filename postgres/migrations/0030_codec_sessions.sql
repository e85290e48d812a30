-- Codec sessions (a supervisor's browser decoding payloads in the Web UI)
-- live here, found by the hash of their cookie, so that signing out ends a
-- session everywhere, a copied cookie included, and an admin can end them
-- all; before, a signed cookie stayed good until its time ran out.
CREATE TABLE codec_sessions (
    token_hash bytea PRIMARY KEY,
    key_name   text NOT NULL,
    key_mark   text NOT NULL, -- ties the session to the key's secret: a rotated key ends it
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
