//! tessera-core: everything a shop does, as plain functions over a `Store`. The desktop app,
//! the CLI and (later) the hub are thin adapters over this crate. docs/architecture.md draws
//! the map: lower folders never use higher ones.
//!
//! store, ledger, audit, error, i18n, ids, input, codes  (the ground)
//!   <- people (shop, staff, permissions, members), scan (decoding what was typed)
//!   <- cards (keys, registry, print)
//!   <- counter (lookup, actions, enrolment, the card projection, programs)
//!   <- first_run, reports, sync, support (use cases across the others)

pub mod audit;
pub mod cards;
pub mod care;
pub mod codes;
pub mod counter;
pub mod error;
pub mod first_run;
#[doc(hidden)]
pub mod fuzzing;
pub mod i18n;
pub mod ids;
pub mod input;
pub mod ledger;
pub mod people;
pub mod reports;
pub mod scan;
pub mod store;
pub mod support;
pub mod sync;

pub use error::{CoreError, ErrorBody, Result};
pub use store::Store;

/// What most callers need, in one `use tessera_core::prelude::*`.
pub mod prelude {
    pub use crate::counter::actions::ActionResult;
    pub use crate::counter::lookup::{MemberView, ScanOutcome, Scanned};
    pub use crate::error::{CoreError, ErrorBody, Result};
    pub use crate::ids::{EventId, MemberId, ProgramId, StaffId};
    pub use crate::people::auth::Permission;
    pub use crate::people::members::{Member, NewMember};
    pub use crate::people::shop::{Actor, Role, Staff};
    pub use crate::store::Store;
}
