-- The customer portal (/my): a one-time sign-in link mailed to an address,
-- and the short session it opens. Both are kept as hashes of their tokens
-- and name the address by its match key, so one sign-in shows the
-- complaints of every customer record with that address.
CREATE TABLE portal_links (
    token_hash bytea PRIMARY KEY,
    email_key  text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

CREATE TABLE portal_sessions (
    session_hash bytea PRIMARY KEY,
    email_key    text NOT NULL,
    expires_at   timestamptz NOT NULL
);

-- Every customer record with an address, its match key or not (a shared
-- address is stored on the second customer without it).
CREATE INDEX customers_by_email ON customers (customer_email_key(email));
