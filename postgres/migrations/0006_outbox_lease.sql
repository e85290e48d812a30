-- Whose lease a message is under: each claim writes a new token, and a
-- dispatcher renews, fails or finishes a message only while the row still
-- carries its token, so one whose lease ran out and was taken over stops
-- instead of sending the message again. next_attempt_at is the lease's end.
ALTER TABLE outbox ADD COLUMN lease_token uuid;
