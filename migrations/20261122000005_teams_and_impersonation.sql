-- Agency staff viewing a client's portal as the client sees it (seed 004). The session keeps
-- the staff user; these columns say whose portal it shows, and until when.
ALTER TABLE sessions ADD COLUMN impersonated_account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE;
ALTER TABLE sessions ADD COLUMN impersonation_started_at BIGINT;
ALTER TABLE sessions ADD COLUMN impersonation_ends_at BIGINT;

-- Invitations to a client's team. Only the SHA-256 of the link's token is stored.
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email           TEXT NOT NULL,                 -- lower-cased
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'billing_manager', 'member')),
    token_hash      TEXT NOT NULL UNIQUE,
    invited_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    accepted_at     BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX invitations_account ON invitations (account_id, accepted_at, revoked_at);

CREATE INDEX audit_events_time ON audit_events (occurred_at);
