-- Portal sessions (issue 18): the vendor's app sends a signed-in user of its own product
-- straight to their billing portal. The vendor asks for a single-use URL over the operator API;
-- opening it starts a normal session for that person in that account.

-- Where the vendor allows "Back to <vendor>" links to point: origins (scheme, host, port).
CREATE TABLE portal_return_origins (
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    origin          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (vendor_id, origin)
);

-- Only the hash of the URL's token is kept; `used_at` makes it single-use (set by a
-- conditional update, so two clicks cannot both sign in).
CREATE TABLE portal_sessions (
    id              TEXT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    return_url      TEXT,
    api_key_id      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);

-- A session started from a portal session remembers where "Back to <vendor>" goes.
ALTER TABLE sessions ADD COLUMN return_url TEXT;
