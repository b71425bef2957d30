//! What the window keeps between commands: the open store (or why it could not open), where it
//! lives, and the staff member signed in at this till with the time their session began.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use tessera_core::people::shop::{Actor, Staff};
use tessera_core::store::known_databases::KnownDatabases;
use tessera_core::support::backup::{self, Restored};
use tessera_core::{CoreError, ErrorBody, Store};

pub struct AppState {
    db: PathBuf,
    store: Mutex<Result<Store, ErrorBody>>,
    signed_in: Mutex<Option<Session>>,
}

/// A staff member's session at this till: Undo reaches no further back than its start.
#[derive(Clone)]
pub struct Session {
    pub staff: Staff,
    pub started: DateTime<Utc>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// Opens the database at `db`. One this app used before must still be there: a missing one
    /// is reported (`database_missing`), never silently replaced by a new, empty shop.
    pub async fn open(db: PathBuf) -> AppState {
        let store = if KnownDatabases::in_config_dir().contains(&db) {
            Store::open_existing(&db).await
        } else {
            Store::open(&db).await
        };
        let store = store.map_err(|e| e.located(&db).body());
        if let Err(body) = &store {
            // The code and the path only: the UI shows the person what to do.
            let database = db.display();
            tracing::error!(code = %body.code, %database, "the database did not open");
        }
        AppState {
            store: Mutex::new(store),
            db,
            signed_in: Mutex::new(None),
        }
    }

    pub fn db_path(&self) -> &Path {
        &self.db
    }

    /// The open store (a cheap handle onto its connection pool), or why there is none.
    pub fn store(&self) -> Result<Store, ErrorBody> {
        lock(&self.store).clone()
    }

    /// The manager chose to start a new shop where a missing database was.
    pub async fn start_new_database(&self) -> Result<(), ErrorBody> {
        let _ = KnownDatabases::in_config_dir().forget(&self.db);
        let store = Store::open(&self.db)
            .await
            .map_err(|e| e.located(&self.db).body());
        if let Err(body) = &store {
            let database = self.db.display();
            tracing::error!(code = %body.code, %database, "the new database did not open");
        }
        *lock(&self.store) = store.clone();
        store.map(drop)
    }

    /// This database holds a shop: from now on, its absence at start is noticed.
    pub fn remember_database(&self) {
        // Best effort: a read-only config folder only means a missing file goes unnoticed.
        let _ = KnownDatabases::in_config_dir().remember(&self.db);
    }

    /// Puts the backup at `from` in the database's place: the store is closed, the backup
    /// checked and moved in (core's `backup::restore`), and the store opened again. A backup
    /// refused leaves the database as it was, and it is opened again as it was.
    pub async fn restore(&self, from: &str, actor: &Actor) -> Result<Restored, ErrorBody> {
        let current = lock(&self.store).clone();
        if let Ok(store) = current {
            store.close().await;
        }
        let restored = backup::restore(&self.db, Path::new(from), Some(actor))
            .await
            .map_err(|e| e.located(&self.db).body());
        let reopened = Store::open_existing(&self.db)
            .await
            .map_err(|e| e.located(&self.db).body());
        *lock(&self.store) = reopened.clone();
        reopened?;
        restored
    }

    pub fn signed_in(&self) -> Option<Staff> {
        lock(&self.signed_in).as_ref().map(|s| s.staff.clone())
    }

    pub fn set_signed_in(&self, staff: Option<Staff>) {
        *lock(&self.signed_in) = staff.map(|staff| Session {
            staff,
            started: Utc::now(),
        });
    }

    pub fn session(&self) -> Result<Session, ErrorBody> {
        lock(&self.signed_in)
            .clone()
            .ok_or_else(|| CoreError::SignInRequired.body())
    }

    pub fn actor(&self) -> Result<Actor, ErrorBody> {
        self.session().map(|s| Actor::from(&s.staff))
    }
}
