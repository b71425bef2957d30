//! Asking about many ids at once: `… WHERE x IN (?, ?, …)`, in as few statements as SQLite
//! allows. A pulled page (1,000 events) is taken in with a handful of these instead of a
//! statement per event.

use sqlx::sqlite::SqliteRow;
use sqlx::{Sqlite, SqliteConnection};

use crate::error::Result;

/// How many values one statement binds (SQLite allows 32,766 parameters).
const VALUES_PER_STATEMENT: usize = 2_000;

/// The rows `select` finds for `values`: `select` ends in `IN ` and is asked once for each run
/// of [`VALUES_PER_STATEMENT`] values, its list appended.
pub(crate) async fn fetch_in<T, R>(
    conn: &mut SqliteConnection,
    select: &str,
    values: &[T],
) -> Result<Vec<R>>
where
    T: Copy + Send + sqlx::Encode<'static, Sqlite> + sqlx::Type<Sqlite> + 'static,
    R: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
{
    let mut rows = Vec::new();
    for chunk in values.chunks(VALUES_PER_STATEMENT) {
        let mut query = sqlx::QueryBuilder::<Sqlite>::new(select);
        query.push("(");
        let mut list = query.separated(", ");
        for value in chunk {
            list.push_bind(*value);
        }
        query.push(")");
        rows.extend(query.build_query_as::<R>().fetch_all(&mut *conn).await?);
    }
    Ok(rows)
}
