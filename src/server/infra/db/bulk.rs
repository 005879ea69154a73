//! Multi-row inserts: one statement for many rows, in chunks that stay under both databases'
//! parameter limits. The billing cycle writes thousands of rows a second through this.

use sqlx::Arguments;
use sqlx::any::{AnyArguments, AnyRow};

use crate::server::infra::db::{Tx, placeholders};

#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
    /// NULL in a text column; PostgreSQL wants a parameter's NULL typed like its column.
    NullText,
    NullInt,
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Text(text)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Text(text.to_string())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Value {
        value.map_or(Value::NullText, Value::Text)
    }
}

impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Value {
        value.map_or(Value::NullText, Value::from)
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Value {
        value.map_or(Value::NullInt, Value::Int)
    }
}

/// Parameters of a multi-row statement, well inside both databases' limits (32,766 and 65,535).
/// Fewer, bigger statements are faster: on SQLite, 250 per statement billed 2,100 accounts a
/// second, 1,000 billed 2,350 and 4,000 billed 2,550 (`benches/cycle.rs`).
const PARAMETERS_PER_LIST: usize = 4000;

/// Ids per `IN (…)` list. Those lists are numbered (`$1, $2, …`, other parameters follow them)
/// and sqlx binds a numbered SQLite parameter by looking up its name, a walk over all of them:
/// binding takes time in the square of the count, so these lists stay short.
pub const IDS_PER_STATEMENT: usize = 250;

/// Inserts `rows` into `table_and_columns` ("invoices (id, number, …)"); every row has one value
/// per column.
pub async fn insert(tx: &mut Tx, table_and_columns: &str, rows: &[Vec<Value>]) -> Result<(), sqlx::Error> {
    insert_rows(tx, table_and_columns, rows, "").await
}

/// Like [`insert`], keeping the row already there when one conflicts with a unique key.
pub async fn insert_new(tx: &mut Tx, table_and_columns: &str, rows: &[Vec<Value>]) -> Result<(), sqlx::Error> {
    insert_rows(tx, table_and_columns, rows, " ON CONFLICT DO NOTHING").await
}

async fn insert_rows(
    tx: &mut Tx,
    table_and_columns: &str,
    rows: &[Vec<Value>],
    on_conflict: &str,
) -> Result<(), sqlx::Error> {
    for (values, arguments) in values_lists(tx, rows)? {
        sqlx::query_with(&format!("INSERT INTO {table_and_columns} VALUES {values}{on_conflict}"), arguments)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Runs `statement`, an UPDATE that joins the rows of `table` ("v (id, charge)"), with `table`
/// holding `rows`, in chunks; returns what the statement returns (its RETURNING clause).
/// One statement updates many rows, each to its own values.
pub async fn update_from<T>(
    tx: &mut Tx,
    table: &str,
    rows: &[Vec<Value>],
    statement: &str,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
{
    let mut returned = Vec::new();
    for (values, arguments) in values_lists(tx, rows)? {
        let sql = format!("WITH {table} AS (VALUES {values}) {statement}");
        returned.extend(sqlx::query_as_with::<_, T, _>(&sql, arguments).fetch_all(&mut **tx).await?);
    }
    Ok(returned)
}

/// Like [`update_from`] for a statement without RETURNING: how many rows it changed.
pub async fn update_each(tx: &mut Tx, table: &str, rows: &[Vec<Value>], statement: &str) -> Result<u64, sqlx::Error> {
    let mut changed = 0;
    for (values, arguments) in values_lists(tx, rows)? {
        changed += sqlx::query_with(&format!("WITH {table} AS (VALUES {values}) {statement}"), arguments)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(changed)
}

/// `rows` as `($1, $2), ($3, $4)` lists with their arguments, a statement's worth at a time.
/// On SQLite the placeholders are anonymous (`(?, ?), (?, ?)`): sqlx looks up the name of each
/// numbered parameter, a walk over all of them, so binding a statement of numbered parameters
/// takes time in the square of their count (the billing cycle spent 65 % of its time there).
fn values_lists(tx: &Tx, rows: &[Vec<Value>]) -> Result<Vec<(String, AnyArguments<'static>)>, sqlx::Error> {
    let Some(columns) = rows.first().map(Vec::len) else { return Ok(Vec::new()) };
    let anonymous = tx.backend_name() == "SQLite";
    let per_statement = (PARAMETERS_PER_LIST / columns.max(1)).clamp(1, 1000);
    let mut lists = Vec::new();
    for chunk in rows.chunks(per_statement) {
        let row = |r: usize| match anonymous {
            true => format!("({})", vec!["?"; columns].join(", ")),
            false => format!("({})", placeholders(r * columns + 1, columns)),
        };
        let values: Vec<String> = (0..chunk.len()).map(row).collect();
        let mut arguments = AnyArguments::default();
        for value in chunk.iter().flatten() {
            match value {
                Value::Text(text) => arguments.add(text.clone()),
                Value::Int(n) => arguments.add(*n),
                Value::NullText => arguments.add(None::<String>),
                Value::NullInt => arguments.add(None::<i64>),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        lists.push((values.join(", "), arguments));
    }
    Ok(lists)
}

/// Binds every one of `values`, in order (the `IN (…)` list of a query).
pub fn bind_all<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, AnyArguments<'q>>,
    values: &'q [String],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, AnyArguments<'q>> {
    for value in values {
        query = query.bind(value);
    }
    query
}
