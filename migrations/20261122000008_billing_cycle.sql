-- The billing cycle (issue 8): documents issued by date, automatic collection with a retry
-- schedule, card-expiry notices, and per-account leases so several server processes share a
-- day's run without billing an account twice.

-- What the cycle issued an invoice for ('license:2026-12', 'prorated:2026-11',
-- 'reconciliation:2026-11', 'renewal:sub_…:2026-12-01'). Unique per account: a rerun, a second
-- worker or a crashed worker's successor finds the document and issues nothing new.
ALTER TABLE invoices ADD COLUMN cycle_key TEXT;
CREATE UNIQUE INDEX invoices_cycle_key ON invoices (account_id, cycle_key);

-- Automatic collection. `collection_attempts` counts charges tried by the cycle; the next one is
-- due on `next_collection_on` (NULL: nothing scheduled, either because the account pays by
-- hand or because the retry schedule ran out).
ALTER TABLE invoices ADD COLUMN collection_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN next_collection_on TEXT;
CREATE INDEX invoices_collection_due ON invoices (account_id, next_collection_on);

-- The vendor's billing rules. Without a row the defaults below apply.
CREATE TABLE vendor_billing_settings (
    vendor_id           TEXT PRIMARY KEY REFERENCES vendors(id),
    -- Days after issue a cycle invoice falls due ('upon receipt' is 0, seed 003).
    payment_terms_days  BIGINT NOT NULL DEFAULT 0 CHECK (payment_terms_days BETWEEN 0 AND 90),
    -- Days after the first failed charge on which it is retried, comma-separated ascending.
    dunning_retry_days  TEXT NOT NULL DEFAULT '1,3,7',
    -- How many days before the next charge a card that will have expired by then is announced.
    card_expiry_notice_days BIGINT NOT NULL DEFAULT 14 CHECK (card_expiry_notice_days BETWEEN 1 AND 90),
    updated_at          BIGINT NOT NULL
);

-- One row per account and cycle date. A worker leases a batch of rows, bills each account and
-- marks its row done in the same transaction as the documents; a lease that runs out (the
-- worker crashed) lets another worker take the account.
CREATE TABLE cycle_accounts (
    run_date        TEXT NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    leased_by       TEXT,
    lease_until     BIGINT,
    issued_at       BIGINT,
    done_at         BIGINT,
    PRIMARY KEY (run_date, account_id)
);
CREATE INDEX cycle_accounts_open ON cycle_accounts (run_date, done_at, lease_until);

-- A cycle date whose accounts are all listed in cycle_accounts (and when its run finished).
CREATE TABLE cycle_runs (
    run_date        TEXT PRIMARY KEY,
    planned_at      BIGINT NOT NULL,
    completed_at    BIGINT
);

-- A card announced as expiring before the next charge, once per card and charge date.
CREATE TABLE card_expiry_notices (
    payment_method_id TEXT NOT NULL REFERENCES payment_methods(id) ON DELETE CASCADE,
    charge_date     TEXT NOT NULL,
    notified_at     BIGINT NOT NULL,
    PRIMARY KEY (payment_method_id, charge_date)
);
