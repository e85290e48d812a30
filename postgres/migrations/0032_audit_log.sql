-- The audit log (SPEC section 12): every sign-in, every read of a
-- customer's personal data, every export, erasure, merge, and user and key
-- change, with who did it. Each line's hash covers the line and the hash of
-- the line before, so a changed line, or one removed (a gap in seq), shows
-- when the chain is checked (redress audit verify). Lines are appended in
-- order under a lock, and never changed: the trigger refuses updates and
-- deletes.
CREATE TABLE audit_log (
    seq       bigint PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    target    text NOT NULL,
    detail    jsonb NOT NULL DEFAULT '{}',
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL
);

CREATE INDEX audit_log_by_actor ON audit_log (actor, seq DESC);
CREATE INDEX audit_log_by_target ON audit_log (target, seq DESC);
CREATE INDEX audit_log_by_action ON audit_log (action, seq DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
