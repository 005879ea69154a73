-- Idempotency-Key on the operator API's writes (issue 18): the first answer to a key is kept for
-- a day and replayed to a retry with the same request; the same key with another request is a
-- conflict. A row without a status is a request still running under that key.
CREATE TABLE operator_idempotency (
    vendor_id       TEXT NOT NULL REFERENCES vendors(id),
    idem_key        TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    status          INTEGER,
    body            TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (vendor_id, idem_key)
);
CREATE INDEX operator_idempotency_age ON operator_idempotency (created_at);
