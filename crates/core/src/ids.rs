//! Typed ids: a member's id is not a program's, so `punch(member, program)` cannot be called
//! with the two swapped, and an event id cannot be passed where a member is meant. Each is a
//! UUIDv7 made where the thing is made; stored as the same 16-byte BLOB, sent as the same string.
//!
//! The right order compiles:
//!
//! ```no_run
//! # use tessera_core::{ids::{MemberId, ProgramId}, people::shop::Actor, Store};
//! # async fn stamp(store: &Store, actor: &Actor, member: MemberId, program: ProgramId) {
//! let _ = store.punch(actor, member, Some(program), 1).await;
//! # }
//! ```
//!
//! and the ids swapped do not:
//!
//! ```compile_fail
//! # use tessera_core::{ids::{MemberId, ProgramId}, people::shop::Actor, Store};
//! # async fn stamp(store: &Store, actor: &Actor, member: MemberId, program: ProgramId) {
//! let _ = store.punch(actor, program, Some(member), 1).await;
//! # }
//! ```

use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(Serialize, Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        #[cfg_attr(feature = "ts", derive(TS))]
        #[cfg_attr(feature = "ts", ts(export, type = "string"))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new id, time-ordered (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The all-zero id (tests, placeholders).
            pub const fn nil() -> Self {
                Self(Uuid::nil())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// A member of the loyalty scheme.
    MemberId
);
typed_id!(
    /// A program (a punch card).
    ProgramId
);
typed_id!(
    /// An event of the ledger.
    EventId
);
typed_id!(
    /// A staff member.
    StaffId
);
typed_id!(
    /// A shop of the chain.
    ShopId
);
typed_id!(
    /// A till (device) of the chain.
    DeviceId
);
typed_id!(
    /// A coupon (a voucher for one use).
    CouponId
);
typed_id!(
    /// A complaint.
    ComplaintId
);
typed_id!(
    /// A survey: one member (or link) asked for their opinion once.
    SurveyId
);
typed_id!(
    /// A "you said, we did" entry.
    WeDidId
);
