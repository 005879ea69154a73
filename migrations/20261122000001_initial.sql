-- Portico's schema. One file serves SQLite and PostgreSQL, so it keeps to their common
-- dialect: TEXT ids (prefixed random, see server::ids), BIGINT money in minor units with an
-- ISO 4217 currency beside it, BIGINT Unix-second timestamps, and TEXT 'YYYY-MM-DD' calendar
-- dates (which sort correctly as text). Flags are BIGINT 0/1 with a CHECK: sqlx's Any driver
-- cannot decode SQLite's boolean columns.

CREATE TABLE vendors (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    legal_name      TEXT NOT NULL,
    email           TEXT NOT NULL,
    address         TEXT NOT NULL,
    tax_id          TEXT,
    created_at      BIGINT NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,          -- stored lower-cased
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,                 -- argon2id PHC string
    created_at      BIGINT NOT NULL,
    disabled_at     BIGINT
);

-- Agency / vendor staff: a user who works for the vendor rather than for a client.
CREATE TABLE staff_members (
    user_id         TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    staff_role      TEXT NOT NULL CHECK (staff_role IN ('admin', 'support')),
    created_at      BIGINT NOT NULL
);

-- A client account, with its billing profile.
CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    name            TEXT NOT NULL,
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    company_name    TEXT NOT NULL,
    address_line1   TEXT NOT NULL DEFAULT '',
    address_line2   TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL CHECK (length(country) = 2),
    tax_id          TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX accounts_vendor ON accounts (vendor_id, name);

CREATE TABLE billing_contacts (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (account_id, email)
);

CREATE TABLE memberships (
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'billing_manager', 'member')),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE plans (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('partner', 'license', 'service')),
    unit_label      TEXT NOT NULL,                 -- what quantity counts, e.g. 'phone number'
    unit_amount     BIGINT NOT NULL CHECK (unit_amount >= 0),
    currency        TEXT NOT NULL,
    billing_interval TEXT NOT NULL CHECK (billing_interval IN ('month', 'year')),
    active          BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      BIGINT NOT NULL,
    UNIQUE (vendor_id, code)
);

-- Never a card number or CVC: only what the processor hands back.
CREATE TABLE payment_methods (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('card', 'ach', 'wire', 'pix', 'boleto')),
    processor       TEXT NOT NULL,
    processor_token TEXT NOT NULL,
    fingerprint     TEXT,
    brand           TEXT,                          -- cards
    funding         TEXT,                          -- cards: credit / debit / prepaid
    last4           TEXT,                          -- cards and bank accounts
    exp_month       BIGINT,
    exp_year        BIGINT,
    holder_name     TEXT NOT NULL DEFAULT '',
    bank_name       TEXT,
    is_default      BIGINT NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at      BIGINT NOT NULL,
    removed_at      BIGINT
);
CREATE INDEX payment_methods_account ON payment_methods (account_id, removed_at);

CREATE TABLE subscriptions (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    plan_id         TEXT NOT NULL REFERENCES plans(id),
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    unit_amount     BIGINT NOT NULL CHECK (unit_amount >= 0),
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'cancelled')),
    current_period_start TEXT NOT NULL,
    current_period_end   TEXT NOT NULL,
    cancel_at_period_end BIGINT NOT NULL DEFAULT 0 CHECK (cancel_at_period_end IN (0, 1)),
    cancellation_reason  TEXT,
    payment_method_id TEXT REFERENCES payment_methods(id),
    created_at      BIGINT NOT NULL,
    cancelled_at    BIGINT
);
CREATE INDEX subscriptions_account ON subscriptions (account_id, status);

-- Invoice numbers are per vendor, without gaps.
CREATE TABLE invoice_sequences (
    vendor_id       TEXT PRIMARY KEY REFERENCES vendors(id),
    prefix          TEXT NOT NULL,
    next_number     BIGINT NOT NULL
);

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    number          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('standard', 'license', 'prorated_license', 'prepayment', 'reconciliation')),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'open', 'awaiting_transfer', 'paid', 'void', 'uncollectible')),
    currency        TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    period_start    TEXT,
    period_end      TEXT,
    subtotal        BIGINT NOT NULL,
    tax             BIGINT NOT NULL DEFAULT 0,
    total           BIGINT NOT NULL,
    amount_paid     BIGINT NOT NULL DEFAULT 0,
    -- The billing details as they were when the invoice was issued.
    bill_to_name    TEXT NOT NULL,
    bill_to_address TEXT NOT NULL,
    bill_to_tax_id  TEXT,
    memo            TEXT,
    subscription_id TEXT REFERENCES subscriptions(id),
    estimate_id     TEXT,
    paid_at         BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (vendor_id, number)
);
CREATE INDEX invoices_account_status ON invoices (account_id, status, due_date);
CREATE INDEX invoices_account_history ON invoices (account_id, issue_date, id);

CREATE TABLE invoice_lines (
    id              TEXT PRIMARY KEY,
    invoice_id      TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    description     TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    unit_amount     BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    UNIQUE (invoice_id, position)
);

CREATE TABLE estimates (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    number          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('estimate', 'proposal')),
    title           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'approved', 'declined')),
    currency        TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    valid_until     TEXT NOT NULL,
    terms           TEXT NOT NULL DEFAULT '',
    subtotal        BIGINT NOT NULL,
    tax             BIGINT NOT NULL DEFAULT 0,
    total           BIGINT NOT NULL,
    decided_at      BIGINT,
    decided_by      TEXT REFERENCES users(id),
    approver_name   TEXT,
    decline_reason  TEXT,
    invoice_id      TEXT REFERENCES invoices(id),
    created_by      TEXT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    UNIQUE (vendor_id, number)
);
CREATE INDEX estimates_account_status ON estimates (account_id, status);

CREATE TABLE estimate_lines (
    id              TEXT PRIMARY KEY,
    estimate_id     TEXT NOT NULL REFERENCES estimates(id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    description     TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    unit_amount     BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    UNIQUE (estimate_id, position)
);

-- One row per attempt to move money. The idempotency key is recorded before the processor
-- is called, which is what makes paying exactly-once.
CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    payment_method_id TEXT REFERENCES payment_methods(id),
    method_kind     TEXT NOT NULL,
    method_label    TEXT NOT NULL,                 -- e.g. 'Visa •••• 4242', kept as it was
    amount          BIGINT NOT NULL,               -- what the invoices receive
    fee             BIGINT NOT NULL DEFAULT 0,     -- surcharge on top
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'awaiting_transfer')),
    idempotency_key TEXT NOT NULL UNIQUE,
    processor_charge_id TEXT,
    failure_code    TEXT,
    failure_message TEXT,
    initiated_by    TEXT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    settled_at      BIGINT
);
CREATE INDEX payments_account_history ON payments (account_id, created_at, id);

CREATE TABLE payment_allocations (
    payment_id      TEXT NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    invoice_id      TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount          BIGINT NOT NULL,
    PRIMARY KEY (payment_id, invoice_id)
);
CREATE INDEX payment_allocations_invoice ON payment_allocations (invoice_id);

-- Seed 003: licensed phone numbers per messaging sub-account, and their usage.
CREATE TABLE phone_numbers (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    sub_account     TEXT NOT NULL,
    number          TEXT NOT NULL,
    onboarded_on    TEXT NOT NULL,
    released_on     TEXT,
    UNIQUE (account_id, number)
);

CREATE TABLE usage_records (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    phone_number_id TEXT NOT NULL REFERENCES phone_numbers(id),
    category        TEXT NOT NULL CHECK (category IN ('marketing', 'utility', 'authentication')),
    usage_date      TEXT NOT NULL,
    message_count   BIGINT NOT NULL CHECK (message_count >= 0),
    cost            BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX usage_account_date ON usage_records (account_id, usage_date);

-- Only a hash of the session id is stored: a copy of this table does not log anyone in.
CREATE TABLE sessions (
    id_hash         TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id      TEXT REFERENCES accounts(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,               -- absolute limit
    user_agent      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_events (
    id              TEXT PRIMARY KEY,
    occurred_at     BIGINT NOT NULL,
    action          TEXT NOT NULL,
    actor_user_id   TEXT REFERENCES users(id) ON DELETE SET NULL,
    actor_email     TEXT,                          -- kept for failed logins and deleted users
    account_id      TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    impersonator_user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    target_type     TEXT,
    target_id       TEXT,
    detail          TEXT NOT NULL DEFAULT '{}',    -- JSON
    ip              TEXT
);
CREATE INDEX audit_account_time ON audit_events (account_id, occurred_at);
