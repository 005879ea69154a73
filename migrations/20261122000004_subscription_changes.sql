-- Managing subscriptions (seed 004): plan and quantity changes with proration, cancelling at
-- period end and resuming.

-- Bumped by every change, so a change computed from what the client saw applies only if
-- nothing changed in between (two tabs, two users).
ALTER TABLE subscriptions ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
-- The day of the month periods renew on, kept when a short month clamps a renewal date.
ALTER TABLE subscriptions ADD COLUMN anchor_day BIGINT NOT NULL DEFAULT 1 CHECK (anchor_day BETWEEN 1 AND 31);
ALTER TABLE subscriptions ADD COLUMN cancel_requested_at BIGINT;
ALTER TABLE subscriptions ADD COLUMN cancel_requested_by TEXT REFERENCES users(id) ON DELETE SET NULL;

-- Every change a client makes to a subscription. A plan or quantity change carries the
-- client's idempotency key, so a retry returns the first outcome instead of changing twice.
CREATE TABLE subscription_changes (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('items', 'payment_method', 'cancel', 'resume')),
    idempotency_key TEXT UNIQUE,
    from_plan_id    TEXT REFERENCES plans(id),
    to_plan_id      TEXT REFERENCES plans(id),
    from_quantity   BIGINT,
    to_quantity     BIGINT,
    currency        TEXT,
    credit          BIGINT NOT NULL DEFAULT 0 CHECK (credit >= 0),
    charge          BIGINT NOT NULL DEFAULT 0 CHECK (charge >= 0),
    invoice_id      TEXT REFERENCES invoices(id),
    reason          TEXT,
    changed_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX subscription_changes_subscription ON subscription_changes (subscription_id, created_at);

-- The account's credit balance as a ledger: positive entries are owed to the client (e.g. the
-- unused part of a downgraded subscription), negative entries use it up.
CREATE TABLE credit_ledger (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount <> 0),
    kind            TEXT NOT NULL CHECK (kind IN ('proration', 'prepayment', 'usage', 'refund', 'adjustment')),
    description     TEXT NOT NULL,
    subscription_id TEXT REFERENCES subscriptions(id),
    invoice_id      TEXT REFERENCES invoices(id),
    created_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX credit_ledger_account ON credit_ledger (account_id, currency, created_at);
