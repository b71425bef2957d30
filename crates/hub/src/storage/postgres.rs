//! The hub on PostgreSQL, for a large chain: several hub processes share one database. Pushes
//! of one device are serialised by locking its row (`FOR UPDATE`); everything else is single
//! statements that PostgreSQL makes atomic (record merges are one upsert each), and a pull
//! page reads one snapshot (REPEATABLE READ). No statement is expected to fail inside a
//! transaction: conflicts are asked about first or written `ON CONFLICT`, since PostgreSQL
//! aborts the whole transaction on the first error.

use std::collections::HashSet;

use chrono::Utc;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row};
use tessera_core::sync::protocol::{code_prefix, Log, Marks};
use uuid::Uuid;

use super::{
    Device, Entry, NewEntry, Result, Storage, StorageError, Stored, Transaction, ROWS_PER_STATEMENT,
};

#[derive(Clone, Debug)]
pub struct PgStorage {
    pool: PgPool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl PgStorage {
    /// Connects to and migrates the hub database at `url` (`postgres://...`). Several processes
    /// starting at once migrate one at a time (sqlx holds an advisory lock).
    pub async fn open(url: &str) -> Result<PgStorage> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStorage { pool })
    }
}

const DEVICE_COLUMNS: &str = "id, no, shop_name, till, shop, event_mark, change_mark, created_at, \
                              joined_at, revoked_at";

fn uuid(text: Option<String>) -> Option<Uuid> {
    text.and_then(|t| t.parse().ok())
}

fn device(row: &PgRow) -> Result<Device> {
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
        created_at: row.try_get("created_at")?,
        joined_at: row.try_get("joined_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

impl Storage for PgStorage {
    type Tx = PgTx;

    async fn begin(&self) -> Result<PgTx> {
        Ok(PgTx(self.pool.begin().await?))
    }

    async fn begin_snapshot(&self) -> Result<PgTx> {
        Ok(PgTx(
            self.pool
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?,
        ))
    }

    async fn add_device(&self, shop_name: &str, token_hash: &str) -> Result<Device> {
        let mut tx = self.pool.begin().await?;
        // Numbers are handed out one at a time, whichever process adds the device.
        sqlx::query("LOCK TABLE device IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        let no: i64 = sqlx::query_scalar("SELECT coalesce(max(no), 0) + 1 FROM device")
            .fetch_one(&mut *tx)
            .await?;
        if code_prefix(no).is_none() {
            return Err(StorageError::ChainFull);
        }
        sqlx::query("INSERT INTO shop (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(shop_name)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&format!(
            "INSERT INTO device (id, no, shop_name, token_hash, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING {DEVICE_COLUMNS}"
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
            sqlx::query("UPDATE device SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2")
                .bind(Utc::now())
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn device_by_token(&self, token_hash: &str) -> Result<Option<Device>> {
        sqlx::query(&format!(
            "SELECT {DEVICE_COLUMNS} FROM device WHERE token_hash = $1"
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

pub struct PgTx(sqlx::Transaction<'static, Postgres>);

impl Transaction for PgTx {
    async fn lock_device(&mut self, id: Uuid) -> Result<Device> {
        let row = sqlx::query(&format!(
            "SELECT {DEVICE_COLUMNS} FROM device WHERE id = $1 FOR UPDATE"
        ))
        .bind(id.to_string())
        .fetch_one(&mut *self.0)
        .await?;
        device(&row)
    }

    async fn shop_id(&mut self, name: &str) -> Result<Option<Uuid>> {
        let id: Option<Option<String>> = sqlx::query_scalar("SELECT id FROM shop WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.0)
            .await?;
        Ok(uuid(id.flatten()))
    }

    async fn bind_shop(&mut self, name: &str, id: Uuid) -> Result<bool> {
        let elsewhere: Option<String> =
            sqlx::query_scalar("SELECT name FROM shop WHERE id = $1 AND name != $2")
                .bind(id.to_string())
                .bind(name)
                .fetch_optional(&mut *self.0)
                .await?;
        if elsewhere.is_some() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO shop (name, id) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET id = excluded.id WHERE shop.id IS NULL",
        )
        .bind(name)
        .bind(id.to_string())
        .execute(&mut *self.0)
        .await?;
        Ok(true)
    }

    async fn bind_till(&mut self, device: Uuid, till: Uuid, shop: Uuid) -> Result<bool> {
        let bound: Option<String> = sqlx::query_scalar("SELECT id FROM device WHERE till = $1")
            .bind(till.to_string())
            .fetch_optional(&mut *self.0)
            .await?;
        if bound.is_some() {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE device SET till = $1, shop = $2, joined_at = $3 WHERE id = $4 AND till IS NULL",
        )
        .bind(till.to_string())
        .bind(shop.to_string())
        .bind(Utc::now())
        .bind(device.to_string())
        .execute(&mut *self.0)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn stored(&mut self, log: Log, till: Uuid, seq: i64) -> Result<Option<Stored>> {
        let sql = match log {
            Log::Event => "SELECT id, rejected FROM event WHERE till = $1 AND seq = $2",
            Log::Change => {
                "SELECT kind || '/' || key, rejected FROM change WHERE till = $1 AND seq = $2"
            }
        };
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(sql)
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
            let mut insert = sqlx::QueryBuilder::<Postgres>::new(
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
            "INSERT INTO change (till, seq, kind, key, received_at) VALUES ($1, $2, $3, $4, $5)",
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
                "INSERT INTO event (till, seq, rejected, received_at) VALUES ($1, $2, $3, $4)"
            }
            Log::Change => {
                "INSERT INTO change (till, seq, kind, key, rejected, received_at)
                 VALUES ($1, $2, '', '', $3, $4)"
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
            "INSERT INTO record (kind, key, version, body) VALUES ($1, $2, $3, $4)
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
        sqlx::query("UPDATE device SET event_mark = $1, change_mark = $2 WHERE id = $3")
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
            "SELECT seq, body FROM event WHERE till = $1 AND seq > $2 ORDER BY seq LIMIT $3",
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
             WHERE c.till = $1 AND c.seq > $2 ORDER BY c.seq LIMIT $3",
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
