-- Credit adjustments made through the operator API carry the caller's id for the request, so a
-- retry returns the entry the first call made instead of moving the balance again. Kept beside
-- the ledger rather than in it: a ledger entry is written once and never edited.
CREATE TABLE operator_adjustments (
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    entry_id        TEXT NOT NULL UNIQUE REFERENCES credit_entries(id),
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    description     TEXT NOT NULL,
    api_key_id      TEXT REFERENCES api_keys(id),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (account_id, external_id)
);
