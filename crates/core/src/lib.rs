//! tessera-core: everything a shop does, as plain functions over a `Store`.
//! The desktop app, the CLI and (later) the hub are thin adapters over this crate.

pub mod auth;
pub mod card;
pub mod card_token;
pub mod cards;
pub mod cashier;
pub mod demo;
pub mod doctor;
pub mod error;
pub mod i18n;
pub mod keyboard;
pub mod known_databases;
pub mod ledger;
pub mod member_code;
pub mod members;
pub mod pdf;
pub mod phone;
pub mod programs;
pub mod scan;
pub mod schema;
pub mod shop;
pub mod store;
pub mod sync;
pub mod validate;

pub use cashier::{ActionResult, MemberView, ScanOutcome};
pub use error::{CoreError, ErrorBody, Result};
pub use store::Store;
