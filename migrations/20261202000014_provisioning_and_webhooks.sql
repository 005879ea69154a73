-- Provisioning over the operator API and webhooks (issue 18).

-- An archived client keeps its documents and history but is no longer billed, listed as
-- active, or signed in to.
ALTER TABLE accounts ADD COLUMN archived_at BIGINT;
-- Orders the account's events: the counter is bumped in the transaction that writes an event,
-- which also serializes writers of one account's events.
ALTER TABLE accounts ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;
-- The blocked services last told to the vendor (comma-separated), so `service.blocked` and
-- `service.resumed` are sent once per change of a status that is otherwise computed.
ALTER TABLE accounts ADD COLUMN service_blocks TEXT NOT NULL DEFAULT '';

-- Tax lines the vendor computed (Portico does not compute tax): shown on the invoice and its
-- PDF; the invoice's `tax` is their sum.
CREATE TABLE invoice_tax_lines (
    invoice_id      TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    description     TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (invoice_id, position)
);
ALTER TABLE invoices ADD COLUMN voided_at BIGINT;
ALTER TABLE invoices ADD COLUMN void_reason TEXT;

-- A credit note reduces what an issued invoice asks for: an open invoice's amount due goes
-- down; for a paid invoice the amount goes to the client's credit balance (never more than
-- was paid). Numbered in its own gap-free sequence per vendor.
CREATE TABLE credit_notes (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    invoice_id      TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    number          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    reason          TEXT NOT NULL,
    credited_to_balance BIGINT NOT NULL DEFAULT 0 CHECK (credited_to_balance >= 0),
    issue_date      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (vendor_id, number)
);
CREATE INDEX credit_notes_account ON credit_notes (account_id, issue_date);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);
ALTER TABLE invoice_sequences ADD COLUMN next_credit_note BIGINT NOT NULL DEFAULT 1;
-- Estimates and proposals the vendor sends over the API, numbered like its invoices.
ALTER TABLE invoice_sequences ADD COLUMN next_estimate BIGINT NOT NULL DEFAULT 1;
ALTER TABLE invoices ADD COLUMN credited BIGINT NOT NULL DEFAULT 0;

-- Where the vendor's systems want to hear about events. The secret signs every delivery; it is
-- shown once when the endpoint is created and never returned again.
CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    url             TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    event_types     TEXT NOT NULL,                 -- comma-separated event types, or '*'
    secret          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    disabled_at     BIGINT
);
CREATE INDEX webhook_endpoints_vendor ON webhook_endpoints (vendor_id);

-- What happened, written in the transaction of the change it describes.
CREATE TABLE webhook_events (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,                 -- the event as delivered (JSON)
    created_at      BIGINT NOT NULL,
    UNIQUE (account_id, seq)
);
CREATE INDEX webhook_events_vendor ON webhook_events (vendor_id, created_at, id);

-- One event to one endpoint: retried with backoff for a day; delivered in order per account
-- (an event waits while an earlier one of its account to the same endpoint is pending).
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    leased_until    BIGINT,
    last_status_code BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, account_id, status, seq);

-- Every attempt, for the delivery log staff see.
CREATE TABLE webhook_attempts (
    id              TEXT PRIMARY KEY,
    delivery_id     TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at    BIGINT NOT NULL,
    status_code     BIGINT,
    error           TEXT,
    duration_ms     BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at);
