//! The page version: one counter that every committed write to a table a page reads moves, so
//! a page rendered after reading version n is known to be still right while the version is n
//! (the rendered-page cache, `server::infra::page_cache`, keeps pages on that condition).
//!
//! Triggers move it, not the use cases: a write that forgot to would serve a stale page, and
//! triggers also see the billing scheduler, the operator API, a second server process and a
//! person at a SQL prompt. Every table gets them except those in [`NOT_SHOWN`]; the list is of
//! exceptions so that a new table is covered without anyone remembering to.
//!
//! The dialects differ, so the triggers are made here after the migrations, for whichever
//! database this is, and only where missing (a second process starting makes none again):
//! - SQLite: a row trigger per table and operation. SQLite has one writer at a time, so the
//!   counter's row costs no concurrency.
//! - PostgreSQL: a deferred constraint trigger per table, which runs at commit, after every other
//!   lock the transaction takes: the counter's row is locked last and held only while the
//!   transaction commits, so it can neither be part of a deadlock nor hold writers back for a
//!   transaction's whole length. It moves the counter once per transaction.

use sqlx::Executor;

use super::{Backend, Db};

/// Tables whose rows no page shows, so that writing them leaves every page as it was.
/// - `sessions`: what a page shows of a session (its account, the client view and its end, the
///   return link) is part of the cache's key, read on every request; the rest (last seen,
///   expiry) is not shown. Its activity mark is written while pages are read.
/// - `guard_attempts`, `guard_locks`: the rate limits' counters, written by every guarded call.
/// - `instance_secrets`, `operator_idempotency`: the server's key, the operator API's replays.
/// - `page_version` itself, and sqlx's record of the migrations.
pub const NOT_SHOWN: &[&str] = &[
    "sessions",
    "guard_attempts",
    "guard_locks",
    "instance_secrets",
    "operator_idempotency",
    "page_version",
    "_sqlx_migrations",
];

const TRIGGER_PREFIX: &str = "page_version_";

/// Makes the triggers that are missing.
pub async fn install(db: &Db) -> Result<(), sqlx::Error> {
    let tables = shown_tables(db).await?;
    let existing = trigger_names(db).await?;
    match db.backend() {
        Backend::Sqlite => {
            for table in &tables {
                for (suffix, operation) in [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")] {
                    let name = format!("{TRIGGER_PREFIX}{table}_{suffix}");
                    if existing.contains(&name) {
                        continue;
                    }
                    db.pool()
                        .execute(
                            format!(
                                "CREATE TRIGGER IF NOT EXISTS \"{name}\" AFTER {operation} ON \"{table}\" \
                                 BEGIN UPDATE page_version SET n = n + 1 WHERE id = 1; END"
                            )
                            .as_str(),
                        )
                        .await?;
                }
            }
        }
        Backend::Postgres => {
            let missing: Vec<&String> =
                tables.iter().filter(|table| !existing.contains(&format!("{TRIGGER_PREFIX}{table}"))).collect();
            if missing.is_empty() {
                return Ok(());
            }
            let mut tx = db.pool().begin().await?;
            // Several processes may start at once: one makes the triggers, the others wait here
            // and find them made.
            tx.execute("SELECT pg_advisory_xact_lock(727001)").await?;
            tx.execute(
                "CREATE OR REPLACE FUNCTION portico_page_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                     UPDATE page_version SET n = n + 1, bumped_by = txid_current()
                     WHERE id = 1 AND bumped_by IS DISTINCT FROM txid_current();
                     RETURN NULL;
                 END $$",
            )
            .await?;
            let made: Vec<String> = sqlx::query_scalar(PG_TRIGGERS).fetch_all(&mut *tx).await?;
            for table in missing {
                let name = format!("{TRIGGER_PREFIX}{table}");
                if made.contains(&name) {
                    continue;
                }
                tx.execute(
                    format!(
                        "CREATE CONSTRAINT TRIGGER \"{name}\" AFTER INSERT OR UPDATE OR DELETE ON \"{table}\" \
                         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION portico_page_version_bump()"
                    )
                    .as_str(),
                )
                .await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

const PG_TRIGGERS: &str = "SELECT CAST(t.tgname AS TEXT) FROM pg_trigger t
     JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace s ON s.oid = c.relnamespace
     WHERE s.nspname = current_schema() AND NOT t.tgisinternal";

/// The tables of the schema a page may show: all but [`NOT_SHOWN`].
pub async fn shown_tables(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let mut tables: Vec<String> = sqlx::query_scalar(sql).fetch_all(db.pool()).await?;
    tables.retain(|table| !NOT_SHOWN.contains(&table.as_str()));
    tables.sort();
    Ok(tables)
}

/// The names of the triggers the schema has.
pub async fn trigger_names(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'trigger'",
        Backend::Postgres => PG_TRIGGERS,
    };
    sqlx::query_scalar(sql).fetch_all(db.pool()).await
}

/// The counter as it is now.
pub async fn current(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT n FROM page_version WHERE id = 1").fetch_one(db.pool()).await
}
