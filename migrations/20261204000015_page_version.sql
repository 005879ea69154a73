-- The version of everything a page shows (issue 19's rendered-page cache): one counter, moved by
-- triggers in the transaction of every write to a table a page reads (installed by the server
-- after the migrations, in each database's own dialect: see server::infra::db::page_version).
-- A page rendered after reading version n is still right while the version is n.
CREATE TABLE page_version (
    id              BIGINT PRIMARY KEY CHECK (id = 1),
    n               BIGINT NOT NULL,
    -- PostgreSQL: the transaction that last moved the counter, so a transaction moves it once.
    bumped_by       BIGINT
);
INSERT INTO page_version (id, n) VALUES (1, 0);
