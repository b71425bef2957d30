//! The till's SQLite store: opened the same way everywhere (WAL, foreign keys, synchronous=FULL,
//! a busy timeout), migrated on open, and written only through IMMEDIATE transactions.

pub(crate) mod cached;
pub mod known_databases;
pub(crate) mod lists;
pub mod schema;

use std::path::{Path, PathBuf};
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
    /// Programs and chain keys in memory, shared by every clone of this store (`cached`).
    memo: std::sync::Arc<cached::Memo>,
    path: PathBuf,
    /// The file opened, as the file system names it. SQLite keeps writing to a file that was
    /// deleted or replaced under it (into an inode nobody will find again), so every commit
    /// first checks the path still leads to this same file.
    identity: Option<FileIdentity>,
}

/// Which file a path leads to: device and inode where the platform has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
}

impl FileIdentity {
    #[cfg(unix)]
    fn of(path: &Path) -> std::io::Result<FileIdentity> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path)?;
        Ok(FileIdentity {
            device: meta.dev(),
            inode: meta.ino(),
        })
    }

    /// Elsewhere an open database cannot be deleted or replaced, so existence is the check.
    #[cfg(not(unix))]
    fn of(path: &Path) -> std::io::Result<FileIdentity> {
        std::fs::metadata(path).map(|_| FileIdentity {
            device: 0,
            inode: 0,
        })
    }
}

/// `<platform data dir>/eu.tessera.app/tessera.db`, e.g. `~/.local/share/eu.tessera.app/tessera.db`.
pub fn default_db_path() -> PathBuf {
    app_data_dir().join("tessera.db")
}

/// `<platform data dir>/eu.tessera.app/logs`: the desktop app's log files, whichever database
/// it opens.
pub fn default_log_dir() -> PathBuf {
    app_data_dir().join("logs")
}

fn app_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_IDENTIFIER)
}

fn busy_timeout() -> Duration {
    std::env::var("TESSERA_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_BUSY_TIMEOUT)
}

/// SQLite opened the same way everywhere: WAL, FULL sync (an acknowledged punch survives a
/// power cut), foreign keys, a busy timeout, secure delete. By file name, never by URL.
fn connect_options(path: &Path, create: bool) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(busy_timeout())
        // Freed space is zeroed: an erased member's data does not linger in free pages.
        .pragma("secure_delete", "ON")
}

/// How many connections a store may open: several for the app, whose screens ask at the same
/// time (a report need not hold up a scan), or one for a process that does one thing at a time.
///
/// Each new connection reads the whole schema (its triggers are most of it): about 1.5 ms. And
/// sqlx returns a connection to its pool in a task of its own, after a round trip, so a query
/// right after another finds none free and opens one more while it may. A CLI command opened
/// four and spent 6 of its 10 ms on it (issue 12: `tessera --json scan` as a process).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Connections {
    Several,
    One,
}

async fn pool(options: SqliteConnectOptions, connections: Connections) -> Result<SqlitePool> {
    Ok(SqlitePoolOptions::new()
        .max_connections(match connections {
            Connections::Several => 4,
            Connections::One => 1,
        })
        // sqlx pings a connection before lending it, by default: a round trip through the
        // connection's worker thread on every acquire. A SQLite connection is a file handle in
        // this process, not a socket that can go stale, so the ping only costs (issue 12: a
        // scan is a handful of acquires).
        .test_before_acquire(false)
        .acquire_timeout(busy_timeout() + Duration::from_secs(5))
        .connect_with(options)
        .await?)
}

/// Makes a new till database at `path` complete or not at all: built and migrated under a
/// temporary name in the same folder, then linked into place. Nobody (another process opening
/// the same new file at the same moment) ever sees a half-made database, so a file without
/// Tessera's mark is never one of ours in the making. When two processes race, the first link
/// wins and the other's copy is dropped.
async fn create(path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.{}.new", uuid::Uuid::now_v7()));
    let made = async {
        let pool = pool(connect_options(&temporary, true), Connections::One).await?;
        schema::migrate(&pool, None, false).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await?;
        pool.close().await;
        Ok::<_, CoreError>(())
    }
    .await;
    let linked = made.and_then(|()| match std::fs::hard_link(&temporary, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // A file system without hard links (FAT): a rename, which cannot refuse to replace.
        Err(_) if !path.exists() => std::fs::rename(&temporary, path).map_err(|_| unwritable(path)),
        Err(_) => Err(unwritable(path)),
    });
    remove_with_companions(&temporary);
    linked
}

/// The folder backups go to: `backups/` next to the database (the automatic ones, a manager's
/// "Back up now", and the copy taken before an upgrade).
pub fn backup_dir(db: &Path) -> PathBuf {
    db.parent()
        .map(|p| p.join("backups"))
        .unwrap_or_else(|| PathBuf::from("backups"))
}

/// A consistent copy of the database `conn` is open on, written to `path` whole or not at all
/// (`VACUUM INTO` under a temporary name in the same folder, then renamed into place): backups
/// (`support::backup`) and the copy taken before an upgrade (`schema::migrate`).
pub(crate) async fn copy_whole(conn: &mut sqlx::SqliteConnection, path: &Path) -> Result<()> {
    let unwritable = || CoreError::FileUnwritable {
        path: path.display().to_string(),
    };
    let name = path.file_name().ok_or_else(unwritable)?.to_string_lossy();
    let temporary = path.with_file_name(format!(".{name}.{}.part", uuid::Uuid::now_v7()));
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(temporary.to_string_lossy().as_ref())
        .execute(&mut *conn)
        .await;
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&temporary);
        return Err(match CoreError::from(error) {
            CoreError::StoreUnwritable { .. } | CoreError::Storage(_) => unwritable(),
            other => other,
        });
    }
    std::fs::rename(&temporary, path).map_err(|_| {
        let _ = std::fs::remove_file(&temporary);
        unwritable()
    })
}

/// Removes a database file and the `-wal` and `-shm` files SQLite keeps beside it (best
/// effort: what is already gone is fine).
pub(crate) fn remove_with_companions(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn unwritable(path: &Path) -> CoreError {
    CoreError::StoreUnwritable {
        path: path.display().to_string(),
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// The path is a file name, never a URL: `%41`, `?` and `#` are characters of the name.
    /// A file that is not a Tessera database is refused without being touched.
    pub async fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, Connections::Several).await
    }

    /// [`Store::open`] for a process that does one thing at a time (a CLI command): one
    /// connection, so the schema is read once.
    pub async fn open_for_one_command(path: &Path) -> Result<Store> {
        Store::open_with(path, Connections::One).await
    }

    async fn open_with(path: &Path, connections: Connections) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|_| unwritable(path))?;
        }
        if path.is_dir() {
            return Err(unwritable(path));
        }
        let (marked, stamped) = match schema::look_at(path).await? {
            // Made and marked whole (by this process, or by another that won the race).
            schema::Found::Nothing => {
                create(path).await.map_err(|e| e.located(path))?;
                (true, false)
            }
            schema::Found::Tessera { marked, stamped } => (marked, stamped),
            schema::Found::Damaged => {
                return Err(CoreError::DatabaseDamaged);
            }
            schema::Found::Foreign => {
                return Err(CoreError::NotATesseraDatabase {
                    path: path.display().to_string(),
                })
            }
        };
        let options = connect_options(path, false);
        let located = |e: CoreError| e.located(path);
        let pool = pool(options, connections).await.map_err(located)?;
        // A single command trusts the header's stamp of the schema (no statement, issue 12); the
        // app reads the migrations' bookkeeping as it starts, which also finds one changed.
        if !(stamped && connections == Connections::One) {
            schema::migrate(&pool, Some(path), marked)
                .await
                .map_err(located)?;
        }
        let store = Store {
            pool,
            memo: Default::default(),
            path: path.to_path_buf(),
            identity: FileIdentity::of(path).ok(),
        };
        // Like a migration, once: the reports' day tables counted in the shop's time zone, before
        // the counter's day begins. A single command skips it (two round trips every time): a
        // report counts them first if they need it (`report_calendar`).
        if connections == Connections::Several {
            store.count_report_days_if_needed().await.map_err(located)?;
        }
        Ok(store)
    }

    /// Opens a database that must already exist: a missing file is `database_missing`, never a
    /// new empty shop (the desktop app uses this for a database it opened before).
    pub async fn open_existing(path: &Path) -> Result<Store> {
        Store::open_existing_with(path, Connections::Several).await
    }

    /// [`Store::open_existing`] for a single command (as [`Store::open_for_one_command`]).
    pub async fn open_existing_for_one_command(path: &Path) -> Result<Store> {
        Store::open_existing_with(path, Connections::One).await
    }

    async fn open_existing_with(path: &Path, connections: Connections) -> Result<Store> {
        if !path.exists() {
            return Err(CoreError::DatabaseMissing {
                path: path.display().to_string(),
            });
        }
        Store::open_with(path, connections).await
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A connection of its own on the same file, outside the pool: long read-only work run
    /// beside the pool's (`doctor` answers two questions at a time).
    pub(crate) async fn side_connection(&self) -> Result<sqlx::SqliteConnection> {
        use sqlx::ConnectOptions;
        Ok(connect_options(&self.path, false).connect().await?)
    }

    pub(crate) fn memo(&self) -> &cached::Memo {
        &self.memo
    }

    /// A write transaction that takes SQLite's write lock up front. A deferred transaction that
    /// reads before it writes can fail to upgrade when another program wrote in between; this
    /// one waits (up to the busy timeout) instead, then fails with `database_locked`.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        self.check_file()?;
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Commits a write, unless the database file is no longer where it was opened: then the
    /// write is rolled back and the action fails with `database_gone`, so that no screen ever
    /// says "saved" for something nobody will find again.
    pub async fn commit(&self, tx: WriteTx) -> Result<()> {
        if let Err(gone) = self.check_file() {
            tx.rollback().await?;
            return Err(gone);
        }
        Ok(tx.commit().await?)
    }

    fn check_file(&self) -> Result<()> {
        let now = FileIdentity::of(&self.path).ok();
        if now.is_some() && now == self.identity {
            Ok(())
        } else {
            Err(CoreError::DatabaseGone {
                path: self.path.display().to_string(),
            })
        }
    }

    /// What crosses to a person for `error`: with this database's path where the message
    /// names the file (SQLite's own errors do not know it), and `database_gone` whatever went
    /// wrong if the file is no longer there (a read of a deleted file fails in several ways
    /// before the write's own check is reached).
    pub fn explain(&self, error: CoreError) -> CoreError {
        match self.check_file() {
            Err(gone) => gone,
            Ok(()) => error.located(&self.path),
        }
    }

    pub fn error_body(&self, error: CoreError) -> crate::ErrorBody {
        self.explain(error).body()
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
        self.commit(tx).await
    }

    /// Moves every committed write from the `-wal` file into the database file and empties the
    /// `-wal` file (after an erasure: the old pages must not stay there). Best effort: while
    /// another connection reads, the log is emptied at a later checkpoint instead.
    pub(crate) async fn empty_the_log(&self) {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(cause = %e, "the write-ahead log could not be emptied now");
        }
    }

    /// Closes the store, first moving every committed write from the `-wal` file into the
    /// database file itself: whoever copies `tessera.db` alone afterwards has everything.
    /// (The backup command is still the way to copy a till that is running.)
    pub async fn close(self) {
        // An empty (or absent) -wal file has nothing to move: a command that only read skips
        // the checkpoint's locks and syncs (issue 12: `tessera --json scan` as a process).
        if schema::has_wal(&self.path) {
            // Best effort: a checkpoint that cannot run leaves the writes safe in the -wal file.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await;
        }
        self.pool.close().await;
    }
}
