//! The rules of sync on the hub's side, once for every storage: joining, taking a push, serving
//! a pull (docs/decisions/0014-sync.md).
//!
//! Each till's two logs are kept gap-free: an entry is taken only right after the last one the
//! hub has of that till. An entry at a place the hub already holds is a duplicate (the same
//! entry) or refused (another one); an entry past a gap is not taken at all, and the till sends
//! again from the marks the answer carries. A refused entry keeps its place, so a refusal
//! never blocks what comes behind it.

use tessera_core::ledger::Event;
use tessera_core::sync::protocol::{
    code_prefix, DeviceMarks, JoinReply, JoinRequest, Log, Marks, Outcome, PullReply, PullRequest,
    PushReply, PushRequest, PAGE_LIMIT,
};
use tessera_core::sync::records::{WireChange, WireRecord};
use tessera_core::sync::wire::WireEvent;
use uuid::Uuid;

use crate::storage::{self, Device, NewEntry, Storage, Stored, Transaction};

/// Why the hub refuses a whole request. Each has a stable code and an HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("this hub speaks sync protocol version 1")]
    ProtocolVersion,
    #[error("this token was used by another till")]
    TokenUsed,
    #[error("this shop's name is bound to another shop of the chain")]
    ShopMismatch,
    #[error("join the chain first")]
    NotJoined,
    #[error("a device pushes only its own entries")]
    NotYourDevice,
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::ProtocolVersion => "protocol_version",
            Refusal::TokenUsed => "token_used",
            Refusal::ShopMismatch => "shop_mismatch",
            Refusal::NotJoined => "not_joined",
            Refusal::NotYourDevice => "not_your_device",
            Refusal::Storage(_) => "hub_storage",
        }
    }
}

type Result<T> = std::result::Result<T, Refusal>;

fn check_version(version: u32) -> Result<()> {
    (version == tessera_core::sync::protocol::PROTOCOL_VERSION)
        .then_some(())
        .ok_or(Refusal::ProtocolVersion)
}

/// A till joins with its token's device. Asking again with the same till gives the same answer
/// (a till whose answer was lost asks again); another till is refused.
pub async fn join<S: Storage>(
    storage: &S,
    device: &Device,
    request: &JoinRequest,
) -> Result<JoinReply> {
    check_version(request.version)?;
    let mut tx = storage.begin().await?;
    let device = tx.lock_device(device.id).await?;
    let reply = |device: &Device, shop: Uuid, new_shop: bool| JoinReply {
        device_no: device.no,
        code_prefix: code_prefix(device.no).unwrap_or_default(),
        shop,
        shop_name: device.shop_name.clone(),
        new_shop,
        marks: device.marks,
    };
    if let Some(till) = device.till {
        return match (till == request.device, device.shop) {
            (true, Some(shop)) => Ok(reply(&device, shop, request.shop.is_none())),
            _ => Err(Refusal::TokenUsed),
        };
    }
    let bound = tx.shop_id(&device.shop_name).await?;
    let (shop, new_shop) = match (request.shop, bound) {
        // A till that worked alone brings its shop; the name's first till binds it.
        (Some(own), None) => (own, false),
        (Some(own), Some(bound)) if own == bound => (own, false),
        (Some(_), Some(_)) => return Err(Refusal::ShopMismatch),
        // A till never set up joins the shop the token names, or starts it.
        (None, Some(bound)) => (bound, false),
        (None, None) => (Uuid::now_v7(), true),
    };
    if !tx.bind_shop(&device.shop_name, shop).await? {
        return Err(Refusal::ShopMismatch);
    }
    if !tx.bind_till(device.id, request.device, shop).await? {
        return Err(Refusal::TokenUsed);
    }
    tx.commit().await?;
    tracing::info!(device = device.no, new_shop, "a till joined the chain");
    Ok(reply(&device, shop, new_shop))
}

/// Where a pushed entry goes, given what the hub holds of its till's log.
enum Place {
    /// Right after the last one: to be taken.
    Next,
    /// Already held: compare.
    Held(Option<Stored>),
    /// Past a gap: not taken now.
    Gap,
}

async fn place<T: Transaction>(
    tx: &mut T,
    log: Log,
    till: Uuid,
    mark: i64,
    seq: i64,
) -> storage::Result<Place> {
    Ok(if seq == mark + 1 {
        Place::Next
    } else if seq <= mark {
        Place::Held(tx.stored(log, till, seq).await?)
    } else {
        Place::Gap
    })
}

fn held_outcome(seq: i64, held: Option<Stored>, same: &str) -> Outcome {
    match held {
        Some(Stored::Entry(entry)) if entry == same => Outcome::Duplicate { seq },
        Some(Stored::Refused) => Outcome::Duplicate { seq },
        _ => Outcome::Rejected {
            seq,
            reason: "sequence_taken".into(),
        },
    }
}

/// Takes a till's push: its changes first (an event may need the program a change brings),
/// then its events, each answered; a device pushes only entries in its own name.
pub async fn push<S: Storage>(
    storage: &S,
    device: &Device,
    request: &PushRequest,
) -> Result<PushReply> {
    check_version(request.version)?;
    let till = device.till.ok_or(Refusal::NotJoined)?;
    let shop = device.shop.ok_or(Refusal::NotJoined)?;
    let own = |d: &Uuid| *d == till;
    if !own(&request.device)
        || !request.changes.iter().all(|c| own(&c.device))
        || !request.events.iter().all(|e| own(&e.device))
    {
        return Err(Refusal::NotYourDevice);
    }
    let mut tx = storage.begin().await?;
    let mut marks = tx.lock_device(device.id).await?.marks;
    let mut changes = Vec::new();
    for change in &request.changes {
        let record = &change.record;
        let entry = format!("{}/{}", record.kind(), record.key());
        let outcome = match place(&mut tx, Log::Change, till, marks.changes, change.seq).await? {
            Place::Gap => break,
            Place::Held(held) => held_outcome(change.seq, held, &entry),
            Place::Next => {
                marks.changes = change.seq;
                match record.check() {
                    Err(reason) => {
                        tx.insert_refused(Log::Change, till, change.seq, reason)
                            .await?;
                        Outcome::Rejected {
                            seq: change.seq,
                            reason: reason.into(),
                        }
                    }
                    Ok(()) => {
                        let body = serde_json::to_string(record).map_err(|e| {
                            storage::StorageError::Database(sqlx::Error::Decode(e.into()))
                        })?;
                        tx.merge_record(record.kind(), &record.key(), record.version(), &body)
                            .await?;
                        tx.insert_change(till, change.seq, record.kind(), &record.key())
                            .await?;
                        Outcome::Applied { seq: change.seq }
                    }
                }
            }
        };
        changes.push(outcome);
    }
    // Events to keep are gathered and written together (`keep`); the answer of each is known
    // at its place in the push.
    let mut events = Vec::new();
    let mut to_keep: Vec<(usize, NewEntry)> = Vec::new();
    for wire in &request.events {
        let id = wire.id.to_string();
        if wire.seq <= marks.events {
            // A place already taken, maybe by one of those gathered: they are written first.
            keep(&mut tx, till, &mut to_keep, &mut events).await?;
        }
        let outcome = match place(&mut tx, Log::Event, till, marks.events, wire.seq).await? {
            Place::Gap => break,
            Place::Held(held) => held_outcome(wire.seq, held, &id),
            Place::Next => {
                marks.events = wire.seq;
                match check_event(wire, shop) {
                    Err(reason) => {
                        tx.insert_refused(Log::Event, till, wire.seq, reason)
                            .await?;
                        Outcome::Rejected {
                            seq: wire.seq,
                            reason: reason.into(),
                        }
                    }
                    Ok(()) => {
                        let body = serde_json::to_string(wire).map_err(|e| {
                            storage::StorageError::Database(sqlx::Error::Decode(e.into()))
                        })?;
                        to_keep.push((
                            events.len(),
                            NewEntry {
                                seq: wire.seq,
                                id: wire.id,
                                body,
                            },
                        ));
                        // Until `keep` says whether its id was free.
                        Outcome::Applied { seq: wire.seq }
                    }
                }
            }
        };
        events.push(outcome);
    }
    keep(&mut tx, till, &mut to_keep, &mut events).await?;
    tx.set_marks(device.id, marks).await?;
    tx.commit().await?;
    Ok(PushReply {
        changes,
        events,
        marks,
    })
}

/// Writes the events gathered for keeping (`(index of its answer, entry)`): an event whose id
/// another event has already is refused at its place, "id_taken", and its answer says so.
async fn keep<T: Transaction>(
    tx: &mut T,
    till: Uuid,
    gathered: &mut Vec<(usize, NewEntry)>,
    answers: &mut [Outcome],
) -> Result<()> {
    let (places, entries): (Vec<usize>, Vec<NewEntry>) = gathered.drain(..).unzip();
    if entries.is_empty() {
        return Ok(());
    }
    let kept = tx.insert_events(till, &entries).await?;
    for (place, entry) in places.into_iter().zip(&entries) {
        if !kept.contains(&entry.seq) {
            tx.insert_refused(Log::Event, till, entry.seq, "id_taken")
                .await?;
            answers[place] = Outcome::Rejected {
                seq: entry.seq,
                reason: "id_taken".into(),
            };
        }
    }
    Ok(())
}

/// The checks of an event before the chain keeps it: a ledger event (the core's rules), made
/// in the pushing till's shop.
fn check_event(wire: &WireEvent, shop: Uuid) -> std::result::Result<(), &'static str> {
    if let Err(why) = Event::try_from(wire.clone()) {
        tracing::info!(%why, "a pushed event was refused");
        return Err("invalid_event");
    }
    if wire.shop != shop {
        return Err("wrong_shop");
    }
    Ok(())
}

/// Serves a pull: other tills' entries past the asking till's marks, changes before events,
/// at most `limit` (and [`PAGE_LIMIT`]) of them, read in one snapshot.
pub async fn pull<S: Storage>(
    storage: &S,
    device: &Device,
    request: &PullRequest,
) -> Result<PullReply> {
    check_version(request.version)?;
    let asking = device.till.ok_or(Refusal::NotJoined)?;
    let limit = request.limit.clamp(1, PAGE_LIMIT);
    let known = |till: Uuid| {
        request
            .marks
            .iter()
            .find(|m| m.device == till)
            .map(|m| m.marks)
            .unwrap_or_default()
    };
    let mut tx = storage.begin_snapshot().await?;
    let tills: Vec<(Uuid, Marks)> = tx
        .tills()
        .await?
        .into_iter()
        .filter(|(till, _)| *till != asking)
        .collect();
    let mut reached: Vec<DeviceMarks> = Vec::new();
    let mut changes = Vec::new();
    let mut events = Vec::new();
    let mut room = limit;
    for log in [Log::Change, Log::Event] {
        for (till, held) in &tills {
            let from = reached
                .iter()
                .find(|m| m.device == *till)
                .map(|m| m.marks)
                .unwrap_or_else(|| known(*till));
            if room == 0 || held.of(log) <= from.of(log) {
                continue;
            }
            let entries = match log {
                Log::Change => tx.changes_after(*till, from.of(log), room).await?,
                Log::Event => tx.events_after(*till, from.of(log), room).await?,
            };
            let Some(last) = entries.last().map(|e| e.seq) else {
                continue;
            };
            room -= entries.len();
            for entry in entries {
                let Some(body) = entry.body else { continue };
                match log {
                    Log::Change => match serde_json::from_str::<WireRecord>(&body) {
                        Ok(record) => changes.push(WireChange {
                            device: *till,
                            seq: entry.seq,
                            record,
                        }),
                        Err(e) => tracing::error!(cause = %e, "a stored record does not read"),
                    },
                    Log::Event => match serde_json::from_str::<WireEvent>(&body) {
                        Ok(event) => events.push(event),
                        Err(e) => tracing::error!(cause = %e, "a stored event does not read"),
                    },
                }
            }
            let mut marks = from;
            marks.set(log, last);
            match reached.iter_mut().find(|m| m.device == *till) {
                Some(m) => m.marks = marks,
                None => reached.push(DeviceMarks {
                    device: *till,
                    marks,
                }),
            }
        }
        if room == 0 {
            // Events wait for the next page: every change of this snapshot goes first.
            break;
        }
    }
    tx.commit().await?;
    Ok(PullReply {
        changes,
        events,
        marks: reached,
        more: room == 0,
    })
}
