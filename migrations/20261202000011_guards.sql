-- Throttles (issue 16): attempts at something that can be guessed by trying (a password, a card
-- number, a payment link) are recorded before the check runs and counted per scope within a
-- window (server::auth::throttle). A scope's row in guard_locks is upserted first in the same
-- transaction: on PostgreSQL that is a row lock, so parallel attempts are counted one by one.
CREATE TABLE guard_attempts (
    id              TEXT PRIMARY KEY,
    scope           TEXT NOT NULL,
    started_at      BIGINT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('pending', 'failed', 'succeeded'))
);
CREATE INDEX guard_attempts_scope ON guard_attempts (scope, started_at);
CREATE INDEX guard_attempts_age ON guard_attempts (started_at);

CREATE TABLE guard_locks (
    scope           TEXT PRIMARY KEY,
    touched_at      BIGINT NOT NULL
);

-- Sessions are swept once they end; the sweep looks them up by their limits.
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- The server's secret when the settings give none: made by the first process to start and read
-- by every later one (server::secrets). Keys for signing and fingerprinting derive from it.
CREATE TABLE instance_secrets (
    name            TEXT PRIMARY KEY,
    value           TEXT NOT NULL
);

-- Idempotency keys sent by clients live in their account's namespace (server::payments::key):
-- `client:<account>:<key>`. The system's own keys (`cycle-…`, `auto-top-up-…`) stay as they are,
-- so a key a client chooses can never be an automatic charge's or another account's. Keys
-- already stored move to the new form, processor ledger first (it is looked up by the payment's).
UPDATE sandbox_charges SET idempotency_key = (
    SELECT 'client:' || p.account_id || ':' || p.idempotency_key FROM payments p WHERE p.idempotency_key = sandbox_charges.idempotency_key
)
WHERE idempotency_key NOT LIKE 'cycle-%' AND idempotency_key NOT LIKE 'auto-top-up-%'
  AND EXISTS (SELECT 1 FROM payments p WHERE p.idempotency_key = sandbox_charges.idempotency_key);
UPDATE payments SET idempotency_key = 'client:' || account_id || ':' || idempotency_key
WHERE idempotency_key NOT LIKE 'cycle-%' AND idempotency_key NOT LIKE 'auto-top-up-%';
UPDATE top_ups SET idempotency_key = 'client:' || account_id || ':' || idempotency_key
WHERE trigger_kind = 'client';
UPDATE subscription_changes SET idempotency_key = 'client:' || account_id || ':' || idempotency_key
WHERE idempotency_key IS NOT NULL;

-- A payment's fee, shared across the invoices it pays when it is made, so that the fee shown on
-- each invoice adds up to the fee charged (domain::money::allocate). Existing payments: each
-- invoice gets its floored share, and what is left goes to the payment's largest invoice.
ALTER TABLE payment_allocations ADD COLUMN fee BIGINT NOT NULL DEFAULT 0;
UPDATE payment_allocations SET fee = (
    SELECT CASE WHEN p.amount > 0 THEN (p.fee * payment_allocations.amount) / p.amount ELSE 0 END
    FROM payments p WHERE p.id = payment_allocations.payment_id
);
UPDATE payment_allocations SET fee = fee + (
    SELECT p.fee - (SELECT SUM(a.fee) FROM payment_allocations a WHERE a.payment_id = p.id)
    FROM payments p WHERE p.id = payment_allocations.payment_id
)
WHERE invoice_id = (
    SELECT a.invoice_id FROM payment_allocations a WHERE a.payment_id = payment_allocations.payment_id
    ORDER BY a.amount DESC, a.invoice_id LIMIT 1
);

-- Billing rules per currency (issue 16): the methods offered and the ACH and wire minimums of
-- a vendor are kept for each currency, in its own minor units; a currency without a row gets
-- the defaults of domain::fees (PIX and Boleto in reais, minimums of about the same worth). The
-- single row per vendor of before held amounts of no stated currency: they were dollars.
CREATE TABLE vendor_currency_rules (
    vendor_id           TEXT NOT NULL REFERENCES vendors(id),
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    ach_minimum         BIGINT CHECK (ach_minimum >= 0),
    wire_minimum        BIGINT CHECK (wire_minimum >= 0),
    enabled_methods     TEXT,
    wire_instructions   TEXT,
    PRIMARY KEY (vendor_id, currency)
);
INSERT INTO vendor_currency_rules (vendor_id, currency, ach_minimum, wire_minimum, enabled_methods)
SELECT vendor_id, 'USD', ach_minimum, wire_minimum, enabled_methods FROM vendor_payment_settings;
ALTER TABLE vendor_payment_settings DROP COLUMN ach_minimum;
ALTER TABLE vendor_payment_settings DROP COLUMN wire_minimum;
ALTER TABLE vendor_payment_settings DROP COLUMN enabled_methods;

-- How long an invoice waits for a wire, PIX or Boleto transfer before it is open again and its
-- automatic collection resumes (server::payments::transfers).
ALTER TABLE vendor_billing_settings ADD COLUMN transfer_wait_days BIGINT NOT NULL DEFAULT 10 CHECK (transfer_wait_days BETWEEN 1 AND 60);
CREATE INDEX payments_awaiting_transfer ON payments (account_id, status, created_at);

-- Licenses bill exactly the numbers that were active (issue 16, domain::licenses). A number's
-- row holds its current stretch (onboarded_on through released_on, the last active day); the
-- stretches before a re-onboarding are kept here. Each number is billed at most once per month
-- (on the 1st's license invoice, or on a prorated one for the days it was active): the key of
-- number_billings says so, whatever runs twice.
CREATE TABLE phone_number_history (
    number_id       TEXT NOT NULL REFERENCES phone_numbers(id) ON DELETE CASCADE,
    onboarded_on    TEXT NOT NULL,
    released_on     TEXT NOT NULL,
    PRIMARY KEY (number_id, onboarded_on)
);

CREATE TABLE number_billings (
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    number          TEXT NOT NULL,
    month           TEXT NOT NULL,              -- 'YYYY-MM'
    -- The invoice that billed it; NULL when it was billed outside these records (an import).
    invoice_id      TEXT REFERENCES invoices(id),
    PRIMARY KEY (account_id, number, month)
);
CREATE INDEX number_billings_invoice ON number_billings (invoice_id);

-- What was billed before: the numbers each prorated invoice marked, and each license invoice's
-- numbers active on its 1st.
INSERT INTO number_billings (account_id, number, month, invoice_id)
SELECT n.account_id, n.number, substr(n.onboarded_on, 1, 7), n.prorated_invoice_id FROM phone_numbers n
WHERE n.prorated_invoice_id IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO number_billings (account_id, number, month, invoice_id)
SELECT n.account_id, n.number, substr(i.cycle_key, 9, 7), i.id
FROM invoices i JOIN phone_numbers n ON n.account_id = i.account_id
WHERE i.cycle_key LIKE 'license:%' AND n.onboarded_on <= substr(i.cycle_key, 9, 7) || '-01'
  AND (n.released_on IS NULL OR n.released_on >= substr(i.cycle_key, 9, 7) || '-01')
ON CONFLICT DO NOTHING;
