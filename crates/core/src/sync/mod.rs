//! Sync between a till and its chain's hub (docs/decisions/0014-sync.md).
//!
//! wire, records, protocol  what tills and hubs say to each other (version 1), kept apart from
//!                          the database rows; the hub uses these same definitions
//! till                     the till's side as state: marks, what to push, taking in a pull
//! client, session          talking to the hub, and joining / syncing
//! ingest                   events from other tills, applied through the counter's one rule

pub mod client;
pub mod ingest;
pub mod protocol;
pub mod records;
pub mod session;
pub mod till;
pub mod wire;
