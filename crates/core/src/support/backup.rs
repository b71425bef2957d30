//! Backups and restore (docs/decisions/0018-backups.md).
//!
//! A backup is SQLite's `VACUUM INTO`: a compact copy made inside one read transaction, so it
//! is the database as it was at one moment even while other programs keep writing, and it is
//! a plain Tessera database that opens like any other. It is written under a temporary name
//! and renamed into place, so a backup file is whole or absent.
//!
//! Restore puts a backup in the database's place, the till closed. The file is first copied
//! next to the database and opened as a till would open it: anything that is not a Tessera
//! database, one from a newer Tessera, or one whose structure is damaged is refused with the
//! same errors as at start, and the database in place is not touched. An older backup is
//! brought up to date on the copy. The replaced database is kept aside, renamed, never deleted.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, Utc};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::audit::{self, AuditKind};
use crate::error::{CoreError, Result};
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::{remove_with_companions, Store};

/// How many automatic backups are kept (one a day: a week).
pub const AUTOMATIC_KEEP: usize = 7;
/// The name every automatic backup starts with; the day follows (`tessera-2026-11-24.db`).
const AUTOMATIC_PREFIX: &str = "tessera-";

/// A backup file, as the manager's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Backup {
    pub path: String,
    pub bytes: u64,
    pub taken_at: DateTime<Utc>,
}

/// What a restore did: where the database that was replaced now is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Restored {
    pub restored_from: String,
    /// The database that was in place, renamed; absent when there was none.
    pub replaced_kept_at: Option<String>,
}

pub use crate::store::backup_dir;

fn file_error(path: &Path) -> CoreError {
    CoreError::FileUnwritable {
        path: path.display().to_string(),
    }
}

impl Store {
    /// A backup to `path` (a manager's, recorded in the audit trail). An existing file there
    /// is replaced only once the new backup is whole.
    pub async fn back_up(&self, actor: &Actor, path: &Path) -> Result<Backup> {
        actor.require(Permission::BackUp)?;
        let backup = self.copy_to(path).await?;
        let mut tx = self.begin_write().await?;
        audit::record(
            &mut tx,
            Some(actor.staff_id),
            AuditKind::BackupTaken,
            Some(&backup.path),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(backup)
    }

    /// Today's automatic backup into `dir`, unless there is one already; then only the newest
    /// [`AUTOMATIC_KEEP`] automatic backups are kept. Returns the backup made, if any.
    pub async fn automatic_backup(&self, dir: &Path) -> Result<Option<Backup>> {
        let today = Local::now().format("%Y-%m-%d");
        let path = dir.join(format!("{AUTOMATIC_PREFIX}{today}.db"));
        if path.exists() {
            return Ok(None);
        }
        std::fs::create_dir_all(dir).map_err(|_| file_error(dir))?;
        let backup = self.copy_to(&path).await?;
        let automatic = list_backups(dir)?
            .into_iter()
            .filter(|b| is_automatic(Path::new(&b.path)));
        for old in automatic.skip(AUTOMATIC_KEEP) {
            // Best effort: an old backup that cannot be removed is only disk space.
            let _ = std::fs::remove_file(&old.path);
        }
        Ok(Some(backup))
    }

    async fn copy_to(&self, path: &Path) -> Result<Backup> {
        let mut conn = self.pool().acquire().await?;
        crate::store::copy_whole(&mut conn, path).await?;
        describe(path)
    }
}

fn is_automatic(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().starts_with(AUTOMATIC_PREFIX))
        .unwrap_or(false)
}

fn describe(path: &Path) -> Result<Backup> {
    let meta = std::fs::metadata(path).map_err(|_| file_error(path))?;
    let taken_at = meta
        .modified()
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|_| Utc::now());
    Ok(Backup {
        path: path.display().to_string(),
        bytes: meta.len(),
        taken_at,
    })
}

/// The backups in `dir` (`*.db` files), newest first. A missing folder has none.
pub fn list_backups(dir: &Path) -> Result<Vec<Backup>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut backups: Vec<Backup> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .filter_map(|p| describe(&p).ok())
        .collect();
    backups.sort_by(|a, b| b.taken_at.cmp(&a.taken_at).then(b.path.cmp(&a.path)));
    Ok(backups)
}

/// Puts the backup at `from` in place of the database at `db`, which no program may have
/// open. The backup is checked first (see the module's comment); the database replaced is
/// kept as `<db>.replaced-<time>`. The restore is recorded in the restored database's audit
/// trail, under `actor` when a manager signed in to the database replaced.
pub async fn restore(db: &Path, from: &Path, actor: Option<&Actor>) -> Result<Restored> {
    if let Some(actor) = actor {
        actor.require(Permission::BackUp)?;
    }
    if !from.is_file() {
        return Err(CoreError::NotATesseraDatabase {
            path: from.display().to_string(),
        });
    }
    let name = db
        .file_name()
        .ok_or_else(|| file_error(db))?
        .to_string_lossy()
        .into_owned();
    let candidate = db.with_file_name(format!(".{name}.{}.restore", uuid::Uuid::now_v7()));
    std::fs::copy(from, &candidate).map_err(|_| file_error(db))?;
    let checked = check_candidate(&candidate, from, actor).await;
    if let Err(error) = checked {
        remove_with_companions(&candidate);
        return Err(error);
    }
    let stamp = Local::now().format("%Y%m%d-%H%M%S");
    let kept = db.with_file_name(format!("{name}.replaced-{stamp}"));
    let replaced_kept_at = if db.exists() {
        for suffix in ["", "-wal", "-shm"] {
            let at = PathBuf::from(format!("{}{suffix}", db.display()));
            if at.exists() {
                let to = PathBuf::from(format!("{}{suffix}", kept.display()));
                std::fs::rename(&at, &to).map_err(|_| file_error(db))?;
            }
        }
        Some(kept.display().to_string())
    } else {
        None
    };
    std::fs::rename(&candidate, db).map_err(|_| file_error(db))?;
    // The copy was closed whole (checkpointed): what SQLite may leave beside it is empty.
    remove_with_companions(&candidate);
    Ok(Restored {
        restored_from: from.display().to_string(),
        replaced_kept_at,
    })
}

/// Opens the copy as a till would (refusing what is not ours, newer, or damaged; migrating
/// an older one), checks SQLite's integrity, records the restore, and closes it whole.
async fn check_candidate(candidate: &Path, from: &Path, actor: Option<&Actor>) -> Result<()> {
    let store = Store::open_existing(candidate).await.map_err(|e| match e {
        CoreError::NotATesseraDatabase { .. } | CoreError::StoreCorrupt => {
            CoreError::NotATesseraDatabase {
                path: from.display().to_string(),
            }
        }
        other => other,
    })?;
    let checked = async {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(store.pool())
            .await?;
        if integrity != ["ok"] {
            return Err(CoreError::DatabaseDamaged);
        }
        // A till of a chain: the hub already holds this till's later events under sequence
        // numbers the backup would hand out again (docs/decisions/0018, "Not yet").
        if store.hub_link().await?.is_some() {
            return Err(CoreError::RestoreInChain);
        }
        let mut tx = store.begin_write().await?;
        let source = from.display().to_string();
        audit::record(
            &mut tx,
            actor.map(|a| a.staff_id),
            AuditKind::Restored,
            Some(&source),
            None,
        )
        .await?;
        store.commit(tx).await
    }
    .await;
    store.close().await;
    checked
}
