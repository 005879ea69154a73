//! Multi-row inserts: one statement for many rows, in chunks that stay under both databases'
//! parameter limits. The billing cycle writes thousands of rows a second through this.

use super::{Tx, placeholders};

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

/// Parameters per statement. Both databases take tens of thousands, but sqlx binds each SQLite
/// parameter by looking up its name, a walk over all of them: a statement's binding time grows
/// with the square of its parameters (at 30,000 the billing cycle spent 65 % of its time there,
/// at 1,000 still 37 %).
const MAX_PARAMETERS: usize = 250;

/// Inserts `rows` into `table_and_columns` ("invoices (id, number, …)"); every row has one value
/// per column.
pub async fn insert(tx: &mut Tx, table_and_columns: &str, rows: &[Vec<Value>]) -> Result<(), sqlx::Error> {
    let Some(columns) = rows.first().map(Vec::len) else { return Ok(()) };
    let per_statement = (MAX_PARAMETERS / columns.max(1)).clamp(1, 1000);
    for chunk in rows.chunks(per_statement) {
        let values: Vec<String> = (0..chunk.len()).map(|r| format!("({})", placeholders(r * columns + 1, columns))).collect();
        let sql = format!("INSERT INTO {table_and_columns} VALUES {}", values.join(", "));
        let mut query = sqlx::query(&sql);
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Int(n) => query.bind(*n),
                Value::NullText => query.bind(None::<String>),
                Value::NullInt => query.bind(None::<i64>),
            };
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
