//! The hub on SQLite, for a small chain: one file, one writer at a time (a single connection,
//! so transactions never race each other), WAL and full sync like the tills.

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite};
use tessera_core::sync::protocol::{code_prefix, Log, Marks};
use uuid::Uuid;

use super::{
    Device, Entry, NewEntry, Result, Storage, StorageError, Stored, Transaction, ROWS_PER_STATEMENT,
};

#[derive(Clone, Debug)]
pub struct SqliteStorage {
    pool: SqlitePool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqliteStorage {
    /// Opens (creating it if needed) and migrates the hub database at `url` (`sqlite://hub.db`).
    pub async fn open(url: &str) -> Result<SqliteStorage> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStorage { pool })
    }
}

const DEVICE_COLUMNS: &str = "id, no, shop_name, till, shop, event_mark, change_mark, created_at, \
                              joined_at, revoked_at";

fn uuid(text: Option<String>) -> Option<Uuid> {
    text.and_then(|t| t.parse().ok())
}

fn device(row: &SqliteRow) -> Result<Device> {
    Ok(Device {
        id: row.try_get::<String, _>("id")?.parse().map_err(|_| {
            StorageError::Database(sqlx::Error::Decode("device id is not a UUID".into()))
        })?,
        no: row.try_get("no")?,
        shop_name: row.try_get("shop_name")?,
        till: uuid(row.try_get("till")?),
        shop: uuid(row.try_get("shop")?),
        marks: Marks {
            events: row.try_get("event_mark")?,
            changes: row.try_get("change_mark")?,
        },
        created_at: row.try_get::<DateTime<Utc>, _>("created_at")?,
        joined_at: row.try_get("joined_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Storage for SqliteStorage {
    type Tx = SqliteTx;

    async fn begin(&self) -> Result<SqliteTx> {
        Ok(SqliteTx(self.pool.begin_with("BEGIN IMMEDIATE").await?))
    }

    /// One connection: a plain transaction already sees nothing but its own snapshot.
    async fn begin_snapshot(&self) -> Result<SqliteTx> {
        Ok(SqliteTx(self.pool.begin().await?))
    }

    async fn add_device(&self, shop_name: &str, token_hash: &str) -> Result<Device> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let no: i64 = sqlx::query_scalar("SELECT coalesce(max(no), 0) + 1 FROM device")
            .fetch_one(&mut *tx)
            .await?;
        if code_prefix(no).is_none() {
            return Err(StorageError::ChainFull);
        }
        sqlx::query("INSERT INTO shop (name) VALUES (?) ON CONFLICT (name) DO NOTHING")
            .bind(shop_name)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&format!(
            "INSERT INTO device (id, no, shop_name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)
             RETURNING {DEVICE_COLUMNS}"
        ))
        .bind(Uuid::now_v7().to_string())
        .bind(no)
        .bind(shop_name)
        .bind(token_hash)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        let added = device(&row)?;
        tx.commit().await?;
        Ok(added)
    }

    async fn devices(&self) -> Result<Vec<Device>> {
        sqlx::query(&format!("SELECT {DEVICE_COLUMNS} FROM device ORDER BY no"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(device)
            .collect()
    }

    async fn revoke_device(&self, id: Uuid) -> Result<bool> {
        let done =
            sqlx::query("UPDATE device SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?")
                .bind(Utc::now())
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn device_by_token(&self, token_hash: &str) -> Result<Option<Device>> {
        sqlx::query(&format!(
            "SELECT {DEVICE_COLUMNS} FROM device WHERE token_hash = ?"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(device)
        .transpose()
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

pub struct SqliteTx(sqlx::Transaction<'static, Sqlite>);

fn table(log: Log) -> &'static str {
    match log {
        Log::Event => "event",
        Log::Change => "change",
    }
}

impl Transaction for SqliteTx {
    async fn lock_device(&mut self, id: Uuid) -> Result<Device> {
        // BEGIN IMMEDIATE already holds the write lock: reading is locking.
        let row = sqlx::query(&format!("SELECT {DEVICE_COLUMNS} FROM device WHERE id = ?"))
            .bind(id.to_string())
            .fetch_one(&mut *self.0)
            .await?;
        device(&row)
    }

    async fn shop_id(&mut self, name: &str) -> Result<Option<Uuid>> {
        let id: Option<Option<String>> = sqlx::query_scalar("SELECT id FROM shop WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *self.0)
            .await?;
        Ok(uuid(id.flatten()))
    }

    async fn bind_shop(&mut self, name: &str, id: Uuid) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO shop (name, id) VALUES (?, ?)
             ON CONFLICT (name) DO UPDATE SET id = excluded.id WHERE shop.id IS NULL",
        )
        .bind(name)
        .bind(id.to_string())
        .execute(&mut *self.0)
        .await;
        match done {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn bind_till(&mut self, device: Uuid, till: Uuid, shop: Uuid) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE device SET till = ?, shop = ?, joined_at = ? WHERE id = ? AND till IS NULL",
        )
        .bind(till.to_string())
        .bind(shop.to_string())
        .bind(Utc::now())
        .bind(device.to_string())
        .execute(&mut *self.0)
        .await;
        match done {
            Ok(done) => Ok(done.rows_affected() == 1),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn stored(&mut self, log: Log, till: Uuid, seq: i64) -> Result<Option<Stored>> {
        let what = match log {
            Log::Event => "id",
            Log::Change => "kind || '/' || key",
        };
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(&format!(
            "SELECT {what}, rejected FROM {} WHERE till = ? AND seq = ?",
            table(log)
        ))
        .bind(till.to_string())
        .bind(seq)
        .fetch_optional(&mut *self.0)
        .await?;
        Ok(row.map(|(entry, rejected)| match (entry, rejected) {
            (Some(entry), None) => Stored::Entry(entry),
            _ => Stored::Refused,
        }))
    }

    async fn insert_events(&mut self, till: Uuid, events: &[NewEntry]) -> Result<HashSet<i64>> {
        let till = till.to_string();
        let now = Utc::now();
        let mut kept = HashSet::new();
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::<Sqlite>::new(
                "INSERT INTO event (till, seq, id, body, received_at) ",
            );
            insert.push_values(chunk, |mut row, event| {
                row.push_bind(till.clone())
                    .push_bind(event.seq)
                    .push_bind(event.id.to_string())
                    .push_bind(event.body.clone())
                    .push_bind(now);
            });
            insert.push(" ON CONFLICT (id) DO NOTHING RETURNING seq");
            let seqs: Vec<(i64,)> = insert.build_query_as().fetch_all(&mut *self.0).await?;
            kept.extend(seqs.into_iter().map(|(seq,)| seq));
        }
        Ok(kept)
    }

    async fn insert_change(&mut self, till: Uuid, seq: i64, kind: &str, key: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO change (till, seq, kind, key, received_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(till.to_string())
        .bind(seq)
        .bind(kind)
        .bind(key)
        .bind(Utc::now())
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn insert_refused(&mut self, log: Log, till: Uuid, seq: i64, reason: &str) -> Result<()> {
        let sql = match log {
            Log::Event => {
                "INSERT INTO event (till, seq, rejected, received_at) VALUES (?, ?, ?, ?)"
            }
            Log::Change => {
                "INSERT INTO change (till, seq, kind, key, rejected, received_at)
                 VALUES (?, ?, '', '', ?, ?)"
            }
        };
        sqlx::query(sql)
            .bind(till.to_string())
            .bind(seq)
            .bind(reason)
            .bind(Utc::now())
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn merge_record(
        &mut self,
        kind: &str,
        key: &str,
        version: &str,
        body: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO record (kind, key, version, body) VALUES (?, ?, ?, ?)
             ON CONFLICT (kind, key) DO UPDATE SET version = excluded.version, body = excluded.body
             WHERE excluded.version > record.version",
        )
        .bind(kind)
        .bind(key)
        .bind(version)
        .bind(body)
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn set_marks(&mut self, device: Uuid, marks: Marks) -> Result<()> {
        sqlx::query("UPDATE device SET event_mark = ?, change_mark = ? WHERE id = ?")
            .bind(marks.events)
            .bind(marks.changes)
            .bind(device.to_string())
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn tills(&mut self) -> Result<Vec<(Uuid, Marks)>> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT till, event_mark, change_mark FROM device WHERE till IS NOT NULL ORDER BY no",
        )
        .fetch_all(&mut *self.0)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(till, events, changes)| {
                Some((till.parse().ok()?, Marks { events, changes }))
            })
            .collect())
    }

    async fn events_after(&mut self, till: Uuid, after: i64, limit: usize) -> Result<Vec<Entry>> {
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT seq, body FROM event WHERE till = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(till.to_string())
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&mut *self.0)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, body)| Entry { seq, body })
            .collect())
    }

    async fn changes_after(&mut self, till: Uuid, after: i64, limit: usize) -> Result<Vec<Entry>> {
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT c.seq, r.body FROM change c
             LEFT JOIN record r ON r.kind = c.kind AND r.key = c.key AND c.rejected IS NULL
             WHERE c.till = ? AND c.seq > ? ORDER BY c.seq LIMIT ?",
        )
        .bind(till.to_string())
        .bind(after)
        .bind(limit as i64)
        .fetch_all(&mut *self.0)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, body)| Entry { seq, body })
            .collect())
    }

    async fn commit(self) -> Result<()> {
        Ok(self.0.commit().await?)
    }
}
