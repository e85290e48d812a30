-- Mail that customers sent to Redress, one row per mail that joined a
-- complaint. Its Message-ID (or, without one, a hash of the mail) is the
-- mail's idempotency key: the sending server retries until it hears 250,
-- and a mail seen before is answered at once and applied never again.
-- The customer's Message-IDs also thread Redress's answers into the
-- customer's own conversation.
CREATE TABLE inbound_mail (
    mail_key     text PRIMARY KEY,
    message_id   text NOT NULL,  -- '' when the mail had none
    complaint_id uuid NOT NULL REFERENCES complaints (id),
    kind         text NOT NULL CHECK (kind IN ('complaint', 'reply', 'reopen')),
    received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX inbound_mail_by_complaint ON inbound_mail (complaint_id, received_at);
