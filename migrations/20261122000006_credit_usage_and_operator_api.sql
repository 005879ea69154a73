-- Seed 003: a prepaid credit balance drawn down by usage, usage pushed by the vendor's systems
-- through an operator API, and the service status that follows from both.

-- The credit balance as an append-only ledger. Each entry carries the balance after it, written
-- once; entries are serialized per account by `accounts.ledger_seq` (an UPDATE of that row is
-- the lock), so the balance is always the sum of the entries and an entry is never edited: a
-- mistake is undone by a reversal entry.
ALTER TABLE accounts ADD COLUMN ledger_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE credit_entries (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount <> 0),
    balance_after   BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('proration', 'prepayment', 'usage', 'refund', 'adjustment', 'reversal')),
    description     TEXT NOT NULL,
    subscription_id TEXT REFERENCES subscriptions(id),
    invoice_id      TEXT REFERENCES invoices(id),
    reverses_entry_id TEXT UNIQUE REFERENCES credit_entries(id),
    created_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (account_id, seq)
);
CREATE INDEX credit_entries_account ON credit_entries (account_id, currency, seq);
-- A paid prepayment invoice moves the balance exactly once.
CREATE UNIQUE INDEX credit_entries_prepayment ON credit_entries (invoice_id) WHERE kind = 'prepayment';

INSERT INTO credit_entries (id, account_id, seq, currency, amount, balance_after, kind, description, subscription_id,
                            invoice_id, created_by, created_at)
SELECT id, account_id,
       ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY created_at, id),
       currency, amount,
       CAST(SUM(amount) OVER (PARTITION BY account_id, currency ORDER BY created_at, id ROWS UNBOUNDED PRECEDING) AS BIGINT),
       kind, description, subscription_id, invoice_id, created_by, created_at
FROM credit_ledger;
UPDATE accounts SET ledger_seq = (SELECT COUNT(*) FROM credit_entries WHERE credit_entries.account_id = accounts.id);
DROP TABLE credit_ledger;

-- What the client set up: an email when the balance falls to or below a threshold, and an
-- automatic top-up (amount, threshold, method). Amounts in the account's currency.
CREATE TABLE credit_settings (
    account_id      TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    alert_threshold BIGINT CHECK (alert_threshold >= 0),
    auto_top_up_threshold BIGINT CHECK (auto_top_up_threshold >= 0),
    auto_top_up_amount BIGINT CHECK (auto_top_up_amount > 0),
    auto_top_up_method_id TEXT REFERENCES payment_methods(id),
    updated_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    updated_at      BIGINT NOT NULL
);

-- Every "Add to credit balance", by a client or automatic: a prepayment invoice paid at once.
-- The idempotency key makes a double click or a retry one top-up.
CREATE TABLE top_ups (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    trigger_kind    TEXT NOT NULL CHECK (trigger_kind IN ('client', 'automatic')),
    status          TEXT NOT NULL CHECK (status IN ('requested', 'started', 'succeeded', 'failed', 'awaiting_transfer')),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    payment_method_id TEXT REFERENCES payment_methods(id),
    idempotency_key TEXT NOT NULL UNIQUE,
    invoice_id      TEXT UNIQUE REFERENCES invoices(id),
    triggered_by_entry_id TEXT REFERENCES credit_entries(id),
    requested_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
-- At most one automatic top-up in flight per account.
CREATE UNIQUE INDEX top_ups_one_automatic ON top_ups (account_id) WHERE trigger_kind = 'automatic' AND status IN ('requested', 'started');

-- Which plan an invoice line bills, so the service status can tell a partner-plan invoice.
ALTER TABLE invoice_lines ADD COLUMN plan_id TEXT REFERENCES plans(id);

-- Usage pushed through the operator API: the vendor's record id makes a resend harmless, and
-- each record points at the ledger entry that charged it.
ALTER TABLE usage_records ADD COLUMN external_id TEXT;
ALTER TABLE usage_records ADD COLUMN ledger_entry_id TEXT REFERENCES credit_entries(id);
CREATE UNIQUE INDEX usage_records_external ON usage_records (account_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX usage_records_number_date ON usage_records (phone_number_id, usage_date);

-- Operator API keys, created and revoked by staff. Only the SHA-256 of a key is stored; the
-- prefix lets staff tell keys apart without it.
CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    name            TEXT NOT NULL,
    prefix          TEXT NOT NULL,
    key_hash        TEXT NOT NULL UNIQUE,
    created_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT,
    revoked_by      TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX api_keys_vendor ON api_keys (vendor_id, revoked_at);
