//! Where the hub keeps the chain: one trait, a SQLite and a PostgreSQL implementation. The
//! rules of sync (what is a duplicate, a gap, a refusal; which record version wins) live once,
//! in `exchange`, over these plain steps; an implementation only says how each step is done in
//! its SQL. Nothing is kept in memory between requests, so several hub processes can serve
//! one PostgreSQL database.

pub mod postgres;
pub mod sqlite;

use std::collections::HashSet;
use std::future::Future;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tessera_core::sync::protocol::{Log, Marks};
use uuid::Uuid;

pub type Result<T> = std::result::Result<T, StorageError>;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error("the chain has no room for another device")]
    ChainFull,
}

/// A device as the hub knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Device {
    pub id: Uuid,
    pub no: i64,
    pub shop_name: String,
    /// The till's own device id, once it has joined.
    pub till: Option<Uuid>,
    pub shop: Option<Uuid>,
    pub marks: Marks,
    pub created_at: DateTime<Utc>,
    pub joined_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What the hub holds at one place of a till's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    /// An event, by id (or a record change, by `kind/key`).
    Entry(String),
    /// A refused entry: its place is taken, with no content.
    Refused,
}

/// One entry read back for a pull: its place, and its body unless it was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub body: Option<String>,
}

/// The hub's storage. `Send` futures throughout: handlers run on a multi-threaded runtime.
pub trait Storage: Clone + Send + Sync + 'static {
    type Tx: Transaction;

    /// A write transaction. Writes through it are serialised per device (a pushed device's row
    /// is locked until it ends).
    fn begin(&self) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// A read-only transaction whose reads all see one snapshot (a pull page).
    fn begin_snapshot(&self) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// A new device slot for shop `shop_name` with the token's hash; its number is the next free.
    fn add_device(
        &self,
        shop_name: &str,
        token_hash: &str,
    ) -> impl Future<Output = Result<Device>> + Send;

    fn devices(&self) -> impl Future<Output = Result<Vec<Device>>> + Send;

    /// Marks a device revoked (its token stops working; its history stays). False if unknown.
    fn revoke_device(&self, id: Uuid) -> impl Future<Output = Result<bool>> + Send;

    /// The device a token (by hash) belongs to, revoked or not.
    fn device_by_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<Device>>> + Send;

    /// Can the database be reached (the health endpoint)?
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;
}

/// An event pushed at its place: its sequence number, its id, and the event as the till sent it.
pub struct NewEntry {
    pub seq: i64,
    pub id: Uuid,
    pub body: String,
}

/// Rows a statement writes at most (5 parameters each: within PostgreSQL's 65,535 and
/// SQLite's 32,766 a statement).
pub(crate) const ROWS_PER_STATEMENT: usize = 1_000;

pub trait Transaction: Send {
    /// The device, read again and locked for the rest of the transaction.
    fn lock_device(&mut self, id: Uuid) -> impl Future<Output = Result<Device>> + Send;

    /// The shop id bound to a shop name, if any.
    fn shop_id(&mut self, name: &str) -> impl Future<Output = Result<Option<Uuid>>> + Send;

    /// Binds a shop name to its id (its first till's). False if the id is another name's.
    fn bind_shop(&mut self, name: &str, id: Uuid) -> impl Future<Output = Result<bool>> + Send;

    /// Binds a device to the till that joined with its token. False if that till is bound to
    /// another device already.
    fn bind_till(
        &mut self,
        device: Uuid,
        till: Uuid,
        shop: Uuid,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// What the hub holds at `seq` of a till's log.
    fn stored(
        &mut self,
        log: Log,
        till: Uuid,
        seq: i64,
    ) -> impl Future<Output = Result<Option<Stored>>> + Send;

    /// Keeps events at their places (`(seq, id, body)`, in order), in a few statements for
    /// many. Returns the places kept: one whose id another event has already (another till's,
    /// or an earlier one of these) is left out, and nothing is written for it.
    fn insert_events(
        &mut self,
        till: Uuid,
        events: &[NewEntry],
    ) -> impl Future<Output = Result<HashSet<i64>>> + Send;

    /// Keeps a change-log entry at its place.
    fn insert_change(
        &mut self,
        till: Uuid,
        seq: i64,
        kind: &str,
        key: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Keeps a refused entry's place, with the reason.
    fn insert_refused(
        &mut self,
        log: Log,
        till: Uuid,
        seq: i64,
        reason: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Keeps `body` as the record unless the hub has a version that sorts the same or later.
    fn merge_record(
        &mut self,
        kind: &str,
        key: &str,
        version: &str,
        body: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    fn set_marks(&mut self, device: Uuid, marks: Marks) -> impl Future<Output = Result<()>> + Send;

    /// Every joined till and how far the hub has its logs, in device order.
    fn tills(&mut self) -> impl Future<Output = Result<Vec<(Uuid, Marks)>>> + Send;

    /// A till's events past `after`, in order; refused ones without a body.
    fn events_after(
        &mut self,
        till: Uuid,
        after: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Entry>>> + Send;

    /// A till's change-log entries past `after`, in order, each with its record's merged body.
    fn changes_after(
        &mut self,
        till: Uuid,
        after: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Entry>>> + Send;

    fn commit(self) -> impl Future<Output = Result<()>> + Send;
}
