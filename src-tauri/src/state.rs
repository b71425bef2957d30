//! What the window keeps between commands: the open store (or why it could not open) and the
//! staff member signed in at this till.

use std::sync::Mutex;

use tessera_core::shop::{Actor, Staff};
use tessera_core::{CoreError, ErrorBody, Result, Store};

pub struct AppState {
    store: std::result::Result<Store, ErrorBody>,
    signed_in: Mutex<Option<Staff>>,
}

impl AppState {
    pub fn new(store: Result<Store>) -> AppState {
        AppState {
            store: store.map_err(|e| e.body()),
            signed_in: Mutex::new(None),
        }
    }

    pub fn store(&self) -> std::result::Result<&Store, ErrorBody> {
        self.store.as_ref().map_err(Clone::clone)
    }

    pub fn signed_in(&self) -> Option<Staff> {
        self.signed_in
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn set_signed_in(&self, staff: Option<Staff>) {
        *self
            .signed_in
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = staff;
    }

    pub fn actor(&self) -> std::result::Result<Actor, ErrorBody> {
        self.signed_in()
            .map(|s| Actor::from(&s))
            .ok_or_else(|| CoreError::SignInRequired.body())
    }
}
