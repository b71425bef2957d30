//! What a till database is, and bringing it up to date. Tessera's files are marked with their
//! own `PRAGMA application_id`; any other file (another program's SQLite file, an empty file,
//! random bytes) is refused before anything is written to it. The migrations embedded in this
//! crate run all together in one write transaction, so several processes opening a new file at
//! once migrate it exactly once, and a database made by a newer Tessera, or whose applied
//! migrations no longer match, is refused with a reason a person can act on.

use std::path::Path;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use sqlx::{ConnectOptions, Connection, Executor};

use crate::error::{CoreError, Result};

/// "TSR1": Tessera's mark in the SQLite header of every till database.
pub const APPLICATION_ID: i64 = 0x5453_5231;

static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

/// The newest schema this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

/// This build's schema in 32 bits, kept in the header's `PRAGMA user_version` by every upgrade
/// (FNV-1a over each migration's version and checksum): a command can tell from the file's first
/// 100 bytes that the schema is the one it knows, without a statement (issue 12). A Tessera with
/// other migrations writes another stamp; one that stamps nothing leaves 0, which is nobody's.
/// As SQLite reads it: `user_version` is a signed 32 bits.
pub(crate) fn schema_stamp() -> i32 {
    static STAMP: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
    *STAMP.get_or_init(|| {
        let mut hash: u32 = 0x811c_9dc5;
        for migration in MIGRATIONS.iter() {
            let version = migration.version.to_le_bytes();
            for byte in version.iter().chain(&*migration.checksum) {
                hash = (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193);
            }
        }
        hash.max(1) as i32
    })
}

/// What is at a database path, looked at without writing to it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Nothing yet: a new till database will be made.
    Nothing,
    /// A Tessera database: `marked` with Tessera's mark in its header, or made before the mark
    /// existed (the upgrade marks it). `stamped`: its header carries this build's
    /// [`schema_stamp`] and no write-ahead log lies beside it that could hold a newer schema.
    Tessera { marked: bool, stamped: bool },
    /// A file marked as Tessera's that SQLite cannot read, or shorter than its header says (a
    /// copy cut short, a disk that lost its end): refused untouched, as damaged.
    Damaged,
    /// Anything else: refused untouched.
    Foreign,
}

/// What the file at `path` is: its header's bytes say whether it is ours and whole; a file
/// without the mark is asked, through a read-only connection, whether it has Tessera's tables.
pub(crate) async fn look_at(path: &Path) -> Result<Found> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(Found::Nothing);
    };
    if meta.len() == 0 {
        return Ok(Found::Foreign); // an empty file is nobody's database
    }
    let ours = Header::read(path).filter(Header::ours);
    match ours {
        // Short with a WAL beside it is a checkpoint cut off (a process killed while it copied
        // pages, the first page first): SQLite finishes it from the WAL.
        Some(header) if header.cut_short(meta.len()) && !has_wal(path) => {
            return Ok(Found::Damaged)
        }
        // Marked as ours and whole: no connection needed to say so (each new connection reads
        // the whole schema, triggers and all: a millisecond every CLI command paid twice).
        Some(header) => {
            let stamped = header.stamp() == schema_stamp() && !has_wal(path);
            return Ok(Found::Tessera {
                marked: true,
                stamped,
            });
        }
        None => {}
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    // Not marked: an older Tessera database (before the mark), or somebody else's file.
    let Ok(mut conn) = options.connect().await else {
        return Ok(Found::Foreign);
    };
    let found = async {
        let id: i64 = sqlx::query_scalar("PRAGMA application_id")
            .fetch_one(&mut conn)
            .await?;
        if id == APPLICATION_ID {
            return Ok::<_, sqlx::Error>(Found::Tessera {
                marked: true,
                stamped: false,
            });
        }
        // Databases made before the mark: no mark, and Tessera's own tables.
        let ours: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'
               AND name IN ('_sqlx_migrations', 'device', 'event', 'member')",
        )
        .fetch_one(&mut conn)
        .await?;
        Ok(if id == 0 && ours == 4 {
            Found::Tessera {
                marked: false,
                stamped: false,
            }
        } else {
            Found::Foreign
        })
    }
    .await
    .unwrap_or(Found::Foreign); // not a database at all (SQLITE_NOTADB...), or a damaged one
    let _ = conn.close().await;
    Ok(found)
}

/// Whether a write-ahead log with something in it lies beside the database at `path`.
pub(super) fn has_wal(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).is_ok_and(|m| m.len() > 0)
}

/// The first 100 bytes of an SQLite file, read as bytes (https://sqlite.org/fileformat.html):
/// enough to know a file is ours and how long it should be without asking SQLite, which cannot
/// read a damaged one.
#[derive(Clone, Copy)]
struct Header([u8; 100]);

impl Header {
    fn read(path: &Path) -> Option<Header> {
        use std::io::Read;
        let mut bytes = [0u8; 100];
        std::fs::File::open(path)
            .ok()?
            .read_exact(&mut bytes)
            .ok()?;
        bytes
            .starts_with(b"SQLite format 3\0")
            .then_some(Header(bytes))
    }

    fn u32_at(&self, offset: usize) -> u32 {
        u32::from_be_bytes(self.0[offset..offset + 4].try_into().expect("four bytes"))
    }

    fn ours(&self) -> bool {
        i64::from(self.u32_at(68)) == APPLICATION_ID
    }

    /// `PRAGMA user_version`: the [`schema_stamp`] of the build that last upgraded the file.
    fn stamp(&self) -> i32 {
        self.u32_at(60) as i32
    }

    /// The file holds fewer pages than the header counts. The count is valid when the header's
    /// "version valid for" equals its change counter (every SQLite since 3.7.0 keeps it so).
    fn cut_short(&self, file_len: u64) -> bool {
        let page_size = match u16::from_be_bytes([self.0[16], self.0[17]]) {
            1 => 65_536,
            size => u64::from(size),
        };
        let pages = u64::from(self.u32_at(28));
        self.u32_at(92) == self.u32_at(24) && file_len < pages * page_size
    }
}

const BOOKKEEPING: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// The migrations already applied: (version, checksum), oldest first.
async fn applied(conn: &mut sqlx::SqliteConnection) -> Result<Vec<(i64, Vec<u8>)>> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Ok(Vec::new());
    }
    Ok(read_bookkeeping(conn).await?.applied)
}

/// A bookkeeping table known to exist, read in one statement with the header's stamp.
struct Bookkeeping {
    /// The applied migrations' versions and checksums, oldest first.
    applied: Vec<(i64, Vec<u8>)>,
    /// `PRAGMA user_version`: the [`schema_stamp`] of the build that last upgraded the file.
    stamp: i64,
}

async fn read_bookkeeping(conn: &mut sqlx::SqliteConnection) -> sqlx::Result<Bookkeeping> {
    let rows: Vec<(i64, Vec<u8>, i64)> = sqlx::query_as(
        "SELECT version, checksum, (SELECT user_version FROM pragma_user_version)
         FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(conn)
    .await?;
    Ok(Bookkeeping {
        stamp: rows.first().map_or(0, |(_, _, stamp)| *stamp),
        applied: rows.into_iter().map(|(v, c, _)| (v, c)).collect(),
    })
}

/// What is applied must be what this build would apply: an unknown version comes from a newer
/// Tessera; a known version with another checksum means the schema is not what it says.
fn check(applied: &[(i64, Vec<u8>)]) -> Result<()> {
    for (version, checksum) in applied {
        match MIGRATIONS.iter().find(|m| m.version == *version) {
            None => {
                return Err(CoreError::DatabaseTooNew {
                    found: applied.iter().map(|(v, _)| *v).max().unwrap_or(*version),
                    supported: latest_version(),
                })
            }
            Some(m) if *m.checksum != **checksum => return Err(CoreError::DatabaseDamaged),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Whether a store marked as ours has every migration this build knows, and no other (a newer
/// Tessera's is `database_too_new`, a changed one `database_damaged`). One statement; false if
/// the bookkeeping cannot be read (the careful way in [`migrate`] then says why).
///
/// A current store whose header lacks this build's [`schema_stamp`] (one upgraded before the
/// stamp existed) is stamped now, once.
async fn is_current(conn: &mut sqlx::SqliteConnection) -> Result<bool> {
    let Ok(Bookkeeping { applied, stamp }) = read_bookkeeping(conn).await else {
        return Ok(false);
    };
    check(&applied)?;
    if applied.len() != MIGRATIONS.iter().count() {
        return Ok(false);
    }
    if stamp != i64::from(schema_stamp()) {
        // Only saves later commands a statement: a till busy elsewhere stamps another time.
        if let Err(error) = conn.execute(stamp_statement().as_str()).await {
            tracing::warn!(%error, "the schema stamp was not written");
        }
    }
    Ok(true)
}

/// Writes this build's [`schema_stamp`] into the header (`user_version` is a signed 32 bits).
fn stamp_statement() -> String {
    format!("PRAGMA user_version = {}", schema_stamp())
}

/// Brings the schema up to date: nothing to do in the common case (checked without a lock, in
/// one statement when the file is `marked` as ours, or none for a single command on a file
/// `stamped` with this build's schema); otherwise every pending migration, the
/// data steps, the bookkeeping and the mark in one IMMEDIATE transaction, checked again once the
/// lock is held (another process may have just done it).
///
/// A database made by an earlier version (`db`, when it is an existing file) is first copied
/// as it was into `backups/` beside it, `before-upgrade-<its version>-<time>.db`, which the
/// rotation of automatic backups never removes: an upgrade that went wrong in a way no test
/// foresaw is undone by a restore. No copy, no upgrade: the database stays as it was.
pub(crate) async fn migrate(pool: &SqlitePool, db: Option<&Path>, marked: bool) -> Result<()> {
    let mut conn = pool.acquire().await?;
    // Every CLI command opens the store: one statement, not three, in the common case (issue
    // 12: each is a round trip to SQLite's worker thread). A marked file has the bookkeeping
    // table; if reading it fails anyway, the careful way below says why.
    if marked && is_current(&mut conn).await? {
        return Ok(());
    }
    let done = applied(&mut conn).await?;
    check(&done)?;
    let application_id: i64 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(&mut *conn)
        .await?;
    if done.len() == MIGRATIONS.iter().count() && application_id == APPLICATION_ID {
        return Ok(());
    }
    if let (Some(db), Some((from, _))) = (db, done.last()) {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let dir = super::backup_dir(db);
        std::fs::create_dir_all(&dir).map_err(|_| CoreError::FileUnwritable {
            path: dir.display().to_string(),
        })?;
        let copy = dir.join(format!("before-upgrade-{from:04}-{stamp}.db"));
        super::copy_whole(&mut conn, &copy).await?;
        tracing::info!(from, to = latest_version(), backup = %copy.display(), "upgrading the database");
    }
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    tx.execute(BOOKKEEPING).await?;
    let done = applied(&mut tx).await?;
    check(&done)?;
    for migration in MIGRATIONS.iter() {
        if done.iter().any(|(v, _)| *v == migration.version) {
            continue;
        }
        tx.execute(&*migration.sql).await.map_err(|e| {
            // A table that already exists, a column that does not: not a schema we made.
            match CoreError::from(e) {
                CoreError::Storage(_) => CoreError::DatabaseDamaged,
                other => other,
            }
        })?;
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (?, ?, TRUE, ?, -1)",
        )
        .bind(migration.version)
        .bind(&*migration.description)
        .bind(&*migration.checksum)
        .execute(&mut *tx)
        .await?;
    }
    fill_phone_tails(&mut tx).await?;
    tx.execute(format!("PRAGMA application_id = {APPLICATION_ID}").as_str())
        .await?;
    tx.execute(stamp_statement().as_str()).await?;
    tx.commit().await?;
    Ok(())
}

/// Members enrolled before phone tails existed get theirs, in the upgrade's transaction (every
/// write since sets the tail itself). A data step after the migrations: the tail is computed in
/// Rust, SQLite cannot reverse text.
async fn fill_phone_tails(tx: &mut sqlx::SqliteConnection) -> Result<()> {
    let missing: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        // The partial index holds exactly these rows (none, once filled): name it, so the
        // planner never prefers a range over every member with a phone. (With INDEXED BY,
        // SQLite refuses the query outright if that index cannot serve it: every open in the
        // tests would fail.)
        "SELECT id, phone_digits FROM member INDEXED BY member_without_phone_tail
         WHERE phone_digits IS NOT NULL AND phone_tail IS NULL",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (id, digits) in missing {
        sqlx::query("UPDATE member SET phone_tail = ? WHERE id = ?")
            .bind(crate::input::phone::tail(&digits))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
