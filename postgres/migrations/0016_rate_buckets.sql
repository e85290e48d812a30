-- The API's rate limits, held in common by every API process.
--
-- A bucket is a row only while it is short of tokens: full_at is when all
-- its tokens are back (the theoretical arrival time of the generic cell
-- rate algorithm), so one statement takes a token and a row whose full_at
-- has passed says no more than a missing row. The key is a hash of the
-- limit's name and the caller (an API key, an address, an e-mail), so no
-- secret or address is stored. Unlogged: a crash forgets the buckets,
-- which only gives callers a full one again, and no write waits for WAL.
CREATE UNLOGGED TABLE rate_buckets (
    bucket  bytea PRIMARY KEY,
    full_at timestamptz NOT NULL
);
