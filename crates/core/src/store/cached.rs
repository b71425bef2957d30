//! What every scan needs and what rarely changes (the programs, the chain keys), kept in memory
//! while the store's `cache_stamp` counters (migration 0016) say no process changed it since it
//! was read. A scan then asks one statement for the member, their cards and the counters
//! (counter::lookup), instead of reading the programs and keys again each time.
//!
//! The memo is typed by what it holds, so this ground-floor module needs to know nothing of the
//! programs or keys above it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::store::Store;

/// A value kept, with the counter it was read under.
type Kept = (i64, Arc<dyn Any + Send + Sync>);

/// Values read from the store, one of each type.
#[derive(Default)]
pub(crate) struct Memo {
    slots: Mutex<HashMap<TypeId, Kept>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo").finish_non_exhaustive()
    }
}

impl Memo {
    /// The value kept under `stamp`, if the one kept is still that one.
    pub fn get<T: Any + Send + Sync>(&self, stamp: i64) -> Option<Arc<T>> {
        self.latest::<T>()
            .filter(|(kept, _)| *kept == stamp)
            .map(|(_, value)| value)
    }

    /// The value kept last, with its stamp, whatever the store holds now.
    pub fn latest<T: Any + Send + Sync>(&self) -> Option<(i64, Arc<T>)> {
        let slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (stamp, value) = slots.get(&TypeId::of::<T>())?;
        Some((*stamp, Arc::clone(value).downcast::<T>().ok()?))
    }

    /// Keeps `value` as read under `stamp` (read *before* the value: what is kept is at least
    /// as new as its stamp says, so a change never hides behind it).
    pub fn put<T: Any + Send + Sync>(&self, stamp: i64, value: Arc<T>) {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.insert(TypeId::of::<T>(), (stamp, value));
    }
}

/// The counters of `cache_stamp`: each moves with every change to its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct Stamps {
    pub programs: i64,
    pub chain_keys: i64,
}

impl Store {
    /// The `T` kept while its counter still reads `stamp`; otherwise `read()` again, kept under
    /// `stamp`. Callers read `stamp` before `read` runs, so what is kept is at least as new as
    /// its counter says and a change never hides behind it.
    pub(crate) async fn remembered<T, Fut>(
        &self,
        stamp: i64,
        read: impl FnOnce() -> Fut,
    ) -> Result<Arc<T>>
    where
        T: Any + Send + Sync,
        Fut: Future<Output = Result<T>>,
    {
        if let Some(kept) = self.memo.get::<T>(stamp) {
            return Ok(kept);
        }
        let value = Arc::new(read().await?);
        self.memo.put(stamp, Arc::clone(&value));
        Ok(value)
    }

    pub(crate) async fn stamps(&self) -> Result<Stamps> {
        Ok(
            sqlx::query_as("SELECT programs, chain_keys FROM cache_stamp WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }
}
