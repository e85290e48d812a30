-- The agent console: people's sessions and language, the queues ordered by
-- the next SLA deadline, search, the paused resolution clock, and a
-- notification on every change so that open pages update live.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE staff_users ADD COLUMN language text NOT NULL DEFAULT '' CHECK (language IN ('', 'en', 'zh'));

-- A session is found by the hash of its cookie, so a copy of this table
-- signs no one in.
CREATE TABLE staff_sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);
CREATE INDEX staff_sessions_idle ON staff_sessions (last_seen_at);

ALTER TABLE complaints ADD COLUMN resolve_paused_at timestamptz,
    ADD COLUMN resolve_left_seconds bigint NOT NULL DEFAULT 0;

-- The deadline that comes first while the complaint is worked: the
-- acknowledgement's until a person answers, then the resolution's. A paused
-- clock or a finished complaint sorts last.
ALTER TABLE complaints ADD COLUMN next_due_at timestamptz NOT NULL GENERATED ALWAYS AS (
    CASE WHEN status IN ('received', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened')
         THEN coalesce(least(ack_due_at, resolve_due_at), 'infinity') ELSE 'infinity' END) STORED;

-- The queues read open complaints in deadline order, by assignee for "mine"
-- and "unassigned".
CREATE INDEX complaints_queue ON complaints (next_due_at, id)
    WHERE status IN ('received', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened');
CREATE INDEX complaints_queue_by_assignee ON complaints (assignee, next_due_at, id)
    WHERE status IN ('received', 'acknowledged', 'in_progress', 'waiting_on_customer', 'reopened');

-- Search by any part of a word, Chinese included: trigrams over the
-- complaint's text and over the customer's name and e-mail.
CREATE INDEX complaints_search ON complaints
    USING gin ((subject || ' ' || description || ' ' || order_ref) gin_trgm_ops);
CREATE INDEX customers_search ON customers USING gin ((name || ' ' || email) gin_trgm_ops);

-- Every write to a complaint or its timeline tells the listening API
-- processes which complaint changed; PostgreSQL sends one notification per
-- complaint per transaction.
CREATE FUNCTION notify_complaint_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'complaints' THEN
        PERFORM pg_notify('complaint_changed', NEW.id::text);
    ELSE
        PERFORM pg_notify('complaint_changed', NEW.complaint_id::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER complaints_notify AFTER INSERT OR UPDATE ON complaints
    FOR EACH ROW EXECUTE FUNCTION notify_complaint_changed();
CREATE TRIGGER timeline_notify AFTER INSERT ON timeline
    FOR EACH ROW EXECUTE FUNCTION notify_complaint_changed();
