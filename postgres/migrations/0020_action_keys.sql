-- The actions applied under an idempotency key, written with the step that
-- applied them: Temporal knows an Update id only within one run, so a
-- retry that reaches the next run (after continue-as-new) or a closed
-- complaint is answered from here, never applied twice.
CREATE TABLE action_keys (
    complaint_id uuid NOT NULL REFERENCES complaints (id),
    update_id    text NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (complaint_id, update_id)
);
