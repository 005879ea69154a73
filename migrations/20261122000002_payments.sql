-- Payments: fee settings per vendor, the exactly-once lock on invoices, the sandbox
-- processor's own ledger, the email outbox and payment links.

-- Fees are the vendor's to set (seeds 002, 003). The card surcharge is a decimal rate kept as
-- text ('0.04') because it is read into rust_decimal, never into a float.
CREATE TABLE vendor_payment_settings (
    vendor_id           TEXT PRIMARY KEY REFERENCES vendors(id),
    card_surcharge_rate TEXT NOT NULL DEFAULT '0.04',
    ach_minimum         BIGINT NOT NULL DEFAULT 5000,
    wire_minimum        BIGINT NOT NULL DEFAULT 100000,
    enabled_methods     TEXT NOT NULL DEFAULT 'card,ach,wire',   -- comma-separated MethodKind names
    wire_instructions   TEXT NOT NULL DEFAULT ''
);

-- The payment currently trying to settle an invoice. Set and cleared with conditional
-- updates, so two tabs, two users or a double click can never both get past it.
ALTER TABLE invoices ADD COLUMN payment_in_progress_id TEXT;

-- What the built-in sandbox processor has charged, keyed like a real processor by the
-- idempotency key: a retried charge returns the first outcome instead of charging again.
CREATE TABLE sandbox_charges (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    token_fingerprint TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
    failure_code    TEXT,
    created_at      BIGINT NOT NULL
);

-- Emails wait here until the mailer has handed them to the SMTP server; a failed send stays
-- and is retried later, so nothing is lost to a mail outage.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    account_id      TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);

-- A link that pays one invoice without signing in. Only a hash of its token is stored.
CREATE TABLE payment_links (
    token_hash      TEXT PRIMARY KEY,
    invoice_id      TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX payment_links_invoice ON payment_links (invoice_id);
