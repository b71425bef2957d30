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

/// A staff member's session at this till: Undo reaches no further back than its start; the
/// manager's screens ask for the PIN again once `pin_at` is older than the till's setting.
#[derive(Clone)]
pub struct Session {
    pub staff: Staff,
    pub started: DateTime<Utc>,
    pub pin_at: DateTime<Utc>,
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
        let now = Utc::now();
        *lock(&self.signed_in) = staff.map(|staff| Session {
            staff,
            started: now,
            pin_at: now,
        });
    }

    /// The PIN typed again by whoever is signed in: the manager's screens open for another
    /// while. Goes through the core's sign-in, so wrong PINs count and are audited as any.
    pub async fn confirm_pin(&self, pin: &str) -> Result<(), ErrorBody> {
        let session = self.session()?;
        let store = self.store()?;
        let staff = store
            .sign_in(&session.staff.name, pin)
            .await
            .map_err(|e| store.error_body(e))?;
        if staff.id != session.staff.id {
            return Err(CoreError::WrongPin.body());
        }
        if let Some(current) = lock(&self.signed_in).as_mut() {
            current.pin_at = Utc::now();
        }
        Ok(())
    }

    /// The signed-in staff member, for a manager's screen: `pin_again` once their PIN is
    /// older than the till's setting. (A cashier gets through here, and the core refuses them
    /// with `manager_only`.)
    pub async fn manager(&self) -> Result<Actor, ErrorBody> {
        let session = self.session()?;
        let store = self.store()?;
        let settings = store
            .till_settings()
            .await
            .map_err(|e| store.error_body(e))?;
        let actor = Actor::from(&session.staff);
        let fresh_until = session.pin_at + chrono::Duration::minutes(settings.pin_again_minutes);
        if actor.role == tessera_core::people::shop::Role::Manager && Utc::now() > fresh_until {
            return Err(CoreError::PinAgain.body());
        }
        Ok(actor)
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

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::first_run::NewShop;

    /// The manager's screens take the manager's PIN again once it is older than the till's
    /// setting (5 minutes by default); a wrong PIN does not open them.
    #[tokio::test]
    async fn the_managers_screens_ask_for_the_pin_again_once_it_is_old() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open(dir.path().join("tessera.db")).await;
        let set_up = state
            .store()
            .unwrap()
            .init_shop(&NewShop {
                shop_name: "Café Lumière".into(),
                language: "fr".into(),
                currency: "eur".into(),
                manager_name: "Ana".into(),
                manager_pin: "1234".into(),
            })
            .await
            .unwrap();
        state.set_signed_in(Some(set_up.manager));
        assert!(state.manager().await.is_ok(), "a PIN just typed is good");
        let six_minutes_ago = Utc::now() - chrono::Duration::minutes(6);
        lock(&state.signed_in).as_mut().unwrap().pin_at = six_minutes_ago;
        assert_eq!(state.manager().await.unwrap_err().code, "pin_again");
        assert_eq!(
            state.confirm_pin("4321").await.unwrap_err().code,
            "wrong_pin"
        );
        assert_eq!(state.manager().await.unwrap_err().code, "pin_again");
        state.confirm_pin("1234").await.unwrap();
        assert!(state.manager().await.is_ok());
    }
}
