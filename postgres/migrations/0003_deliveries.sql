-- Each outbox message goes to every configured channel (webhook, e-mail);
-- a channel that has it is not sent it again when another one is retried.
CREATE TABLE deliveries (
    message_id   text NOT NULL REFERENCES outbox (id),
    channel      text NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, channel)
);
