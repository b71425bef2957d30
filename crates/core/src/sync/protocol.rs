//! The messages of sync protocol version 1, defined once for tills and hubs
//! (docs/decisions/0014-sync.md). Every request names the version it speaks; a hub answers
//! another one with `protocol_version`.
//!
//!   POST /v1/join   a till becomes a device of the chain (its token, once)
//!   POST /v1/push   a till's changes and events past what the hub acknowledged
//!   POST /v1/pull   other devices' changes and events past the till's marks, a page at a time
//!   GET  /v1/health

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sync::records::WireChange;
use crate::sync::wire::WireEvent;

/// Sent with every request; a hub answers a version it does not speak with a clear refusal.
pub const PROTOCOL_VERSION: u32 = 1;

/// The most entries a push or a pull page carries (changes and events together).
pub const PAGE_LIMIT: usize = 1000;

/// Which of a device's two logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Log {
    Event,
    Change,
}

impl Log {
    pub fn as_str(self) -> &'static str {
        match self {
            Log::Event => "event",
            Log::Change => "change",
        }
    }

    /// The log a stored name says (`sync_mark.log` is checked to be one of the two).
    pub fn named(name: &str) -> Log {
        if name == "event" {
            Log::Event
        } else {
            Log::Change
        }
    }
}

/// How far a device's two logs are known: every entry up to these numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marks {
    pub events: i64,
    pub changes: i64,
}

impl Marks {
    pub fn of(&self, log: Log) -> i64 {
        match log {
            Log::Event => self.events,
            Log::Change => self.changes,
        }
    }

    pub fn set(&mut self, log: Log, seq: i64) {
        match log {
            Log::Event => self.events = seq,
            Log::Change => self.changes = seq,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceMarks {
    pub device: Uuid,
    #[serde(flatten)]
    pub marks: Marks,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub version: u32,
    /// The till's device id: the name its events are in.
    pub device: Uuid,
    /// The till's shop, if it has worked alone before joining (its history goes up).
    pub shop: Option<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinReply {
    /// The device's number in the chain (1, 2, ...): it gives the till its code prefix.
    pub device_no: i64,
    pub code_prefix: String,
    /// The shop this till is a till of.
    pub shop: Uuid,
    pub shop_name: String,
    /// No till had joined as this shop yet: a till that was never set up writes the shop.
    pub new_shop: bool,
    /// What the hub already has of this device's logs (a till that joined before and lost its
    /// answer sends from there).
    pub marks: Marks,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub version: u32,
    pub device: Uuid,
    /// In the device's change order; applied before the events (an event may need a program).
    pub changes: Vec<WireChange>,
    /// In the device's sequence order.
    pub events: Vec<WireEvent>,
}

/// What became of one pushed entry, by its sequence number in its log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// New to the hub, and kept.
    Applied { seq: i64 },
    /// The hub had it already (a batch sent twice): nothing changed.
    Duplicate { seq: i64 },
    /// Refused, with a stable reason; the entries behind it go on.
    Rejected { seq: i64, reason: String },
}

impl Outcome {
    pub fn seq(&self) -> i64 {
        match self {
            Outcome::Applied { seq }
            | Outcome::Duplicate { seq }
            | Outcome::Rejected { seq, .. } => *seq,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushReply {
    pub changes: Vec<Outcome>,
    pub events: Vec<Outcome>,
    /// What the hub now has of this device's logs. Entries past a mark were not taken (they
    /// came after a gap): the till sends again from the mark.
    pub marks: Marks,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    pub version: u32,
    /// What the till has of every device it knows; devices it does not name start at 0.
    pub marks: Vec<DeviceMarks>,
    pub limit: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullReply {
    /// Other devices' changes, each device's in order, with the record as the hub holds it
    /// now (the merged version).
    pub changes: Vec<WireChange>,
    /// Other devices' events, each device's in order. A page carries events only once every
    /// change of its snapshot has been sent, so an event never comes before its program.
    pub events: Vec<WireEvent>,
    /// How far this page takes each device it covers (refused entries included, which are
    /// skipped).
    pub marks: Vec<DeviceMarks>,
    /// More is waiting: ask again from the new marks.
    pub more: bool,
}

/// A refusal from the hub, with its stable code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubError {
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubErrorBody {
    pub error: HubError,
}

/// The member code prefix of the chain's device number `device_no` (1, 2, ...). Prefixes are
/// prefix-free (no prefix starts another), so codes drawn by two devices can never be equal:
/// devices 1–992 get two characters whose first is not `Z`; devices 993–2016 get `Z` and two
/// more. A till keeps 30 (or 25) random bits of its own under its prefix.
pub fn code_prefix(device_no: i64) -> Option<String> {
    use crate::codes::member_code::ALPHABET;
    let symbol = |v: i64| ALPHABET[v as usize] as char;
    let n = device_no.checked_sub(1)?;
    if n < 0 {
        return None;
    }
    if n < 31 * 32 {
        return Some([symbol(n / 32), symbol(n % 32)].iter().collect());
    }
    let m = n - 31 * 32;
    (m < 32 * 32).then(|| ['Z', symbol(m / 32), symbol(m % 32)].iter().collect())
}

/// How many devices one chain can have: every prefix [`code_prefix`] can give.
pub const MAX_DEVICES: i64 = 31 * 32 + 32 * 32;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_device_of_a_chain_gets_a_prefix_and_no_prefix_starts_another() {
        let prefixes: Vec<String> = (1..=MAX_DEVICES)
            .map(|n| code_prefix(n).expect("a prefix"))
            .collect();
        assert_eq!(
            prefixes.iter().collect::<HashSet<_>>().len(),
            prefixes.len()
        );
        let two: HashSet<&str> = prefixes
            .iter()
            .filter(|p| p.len() == 2)
            .map(String::as_str)
            .collect();
        for long in prefixes.iter().filter(|p| p.len() == 3) {
            assert!(
                !two.contains(&long[..2]),
                "{long} starts with a shorter prefix"
            );
        }
        assert_eq!(code_prefix(0), None);
        assert_eq!(code_prefix(MAX_DEVICES + 1), None);
        assert_eq!(code_prefix(1).as_deref(), Some("00"));
        assert_eq!(code_prefix(993).as_deref(), Some("Z00"));
    }
}
