//! The till's SQLite store: opened the same way everywhere (WAL, foreign keys, synchronous=FULL,
//! a busy timeout), migrated on open, and written only through IMMEDIATE transactions.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::error::{CoreError, Result};

/// The desktop app's identifier; its data folder is where the default database lives, so the
/// CLI and the app open the same file unless told otherwise.
pub const APP_IDENTIFIER: &str = "eu.tessera.app";

/// How long a write waits for another program's write lock before giving up with
/// `database_locked`. `TESSERA_BUSY_TIMEOUT_MS` overrides it (tests use a short one).
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub type WriteTx = Transaction<'static, Sqlite>;

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

/// `<platform data dir>/eu.tessera.app/tessera.db`, e.g. `~/.local/share/eu.tessera.app/tessera.db`.
pub fn default_db_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_IDENTIFIER)
        .join("tessera.db")
}

fn busy_timeout() -> Duration {
    std::env::var("TESSERA_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_BUSY_TIMEOUT)
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        let unwritable = || CoreError::StoreUnwritable {
            path: path.display().to_string(),
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|_| unwritable())?;
        }
        if path.is_dir() {
            return Err(unwritable());
        }
        let url = format!("sqlite://{}", path.display());
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(|_| unwritable())?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(busy_timeout());
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(busy_timeout() + Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|e| match CoreError::from(e) {
                CoreError::StoreUnwritable { .. } => unwritable(),
                other => other,
            })?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| match CoreError::from(e) {
                CoreError::StoreUnwritable { .. } => unwritable(),
                other => other,
            })?;
        Ok(Store {
            pool,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that takes SQLite's write lock up front. A deferred transaction that
    /// reads before it writes can fail to upgrade when another program wrote in between; this
    /// one waits (up to the busy timeout) instead, then fails with `database_locked`.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM setting WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO setting (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}
