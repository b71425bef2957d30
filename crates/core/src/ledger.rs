//! The append-only ledger: every state change is an event, never an edited balance.
//! Each event carries its UUIDv7, this till's device id and gap-free sequence number, the shop,
//! the staff member, the UTC time, the member, the program and the amount.

use crate::ids::{CouponId, DeviceId, EventId, MemberId, ProgramId, ShopId, StaffId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::reports::feed;
use crate::store::{Store, WriteTx};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum EventKind {
    Enroll,
    Punch,
    Redeem,
    /// Cancels the event named in `voids`.
    Void,
    /// Settles a conflict by accepting the loss: the redemption named in `voids` stays given,
    /// and the card no longer owes it (on the card it cancels the redemption, as a void does).
    Forgive,
    /// Settles a conflict by charging the card: the redemption named in `voids` stands, and
    /// the next reward the card earns pays for it (no change to the card).
    #[serde(rename = "charge_back")]
    #[sqlx(rename = "charge_back")]
    ChargeBack,
    /// Two members found to be one person: `other_member` is merged into `member_id`, whose
    /// card it joins; the other's cards lead to it from now on.
    Merge,
    /// A coupon used (`coupon_id`): good for one use, so a second use of the same coupon,
    /// taken by another till while the two were apart, goes to the conflict queue.
    #[serde(rename = "coupon_redeem")]
    #[sqlx(rename = "coupon_redeem")]
    CouponRedeem,
}

impl EventKind {
    /// Takes the event named in `voids` off its card: a void, or a forgiven conflict.
    pub fn cancels(self) -> bool {
        matches!(self, EventKind::Void | EventKind::Forgive)
    }

    /// Names another event in `voids`.
    pub fn refers(self) -> bool {
        matches!(
            self,
            EventKind::Void | EventKind::Forgive | EventKind::ChargeBack
        )
    }

    /// The small integer `ledger.kind` holds (migration 0025; the view `event` names it back).
    pub(crate) fn stored(self) -> i64 {
        match self {
            EventKind::Enroll => 1,
            EventKind::Punch => 2,
            EventKind::Redeem => 3,
            EventKind::Void => 4,
            EventKind::Forgive => 5,
            EventKind::ChargeBack => 6,
            EventKind::Merge => 7,
            EventKind::CouponRedeem => 8,
        }
    }
}

/// A time as `ledger.at` holds it: nanoseconds since 1970 UTC, which 64 bits keep for the years
/// 1677 to 2262 (migration 0025).
pub(crate) fn stored_at(at: DateTime<Utc>) -> Result<i64> {
    at.timestamp_nanos_opt()
        .ok_or(CoreError::EventTimeOutOfRange)
}

/// The kinds that take an event off its card (see [`EventKind::cancels`]), for SQL: as
/// `ledger.kind` (and the view's `kind_code`) stores them.
pub(crate) const CANCELLING_KINDS: &str = "(4, 5)";

/// Why an action was undone: a stable code in the ledger, read in each till's own language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum ReasonCode {
    WrongMember,
    ScannedTwice,
    WrongCard,
    /// Said in the staff member's own words (`reason` holds them).
    Other,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 4] = [
        ReasonCode::WrongMember,
        ReasonCode::ScannedTwice,
        ReasonCode::WrongCard,
        ReasonCode::Other,
    ];

    /// `wrong_member`, as stored and as scripts pass it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::WrongMember => "wrong_member",
            ReasonCode::ScannedTwice => "scanned_twice",
            ReasonCode::WrongCard => "wrong_card",
            ReasonCode::Other => "other",
        }
    }
}

/// A void's reason: a code, and the staff member's words (required for `Other`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct VoidReason {
    pub code: ReasonCode,
    pub note: Option<String>,
}

impl VoidReason {
    pub fn code(code: ReasonCode) -> VoidReason {
        VoidReason { code, note: None }
    }

    /// What a script or a manager typed: a code name ("scanned twice", "wrong-member") is that
    /// code; any other words are `Other` with those words. Empty is `reason_required`.
    pub fn from_text(text: &str) -> Result<VoidReason> {
        let words = crate::input::validate::text("reason", text, crate::input::validate::TEXT_MAX)
            .map_err(reason_error)?;
        let as_code = words.to_lowercase().replace([' ', '-'], "_");
        Ok(
            match ReasonCode::ALL.into_iter().find(|c| c.as_str() == as_code) {
                Some(code) if code != ReasonCode::Other => VoidReason::code(code),
                _ => VoidReason {
                    code: ReasonCode::Other,
                    note: Some(words),
                },
            },
        )
    }

    /// The note cleaned and bounded; `Other` without words is refused.
    pub(crate) fn validated(&self) -> Result<VoidReason> {
        let note = self.note.as_deref().map(|note| {
            crate::input::validate::text("reason", note, crate::input::validate::TEXT_MAX)
        });
        let note = match note {
            Some(Ok(note)) => Some(note),
            Some(Err(CoreError::Empty { .. })) | None if self.code == ReasonCode::Other => {
                return Err(CoreError::ReasonRequired)
            }
            Some(Err(CoreError::Empty { .. })) | None => None,
            Some(Err(other)) => return Err(other),
        };
        Ok(VoidReason {
            code: self.code,
            note,
        })
    }
}

/// A blank reason is asked for again; a too long one or one with control characters says so.
fn reason_error(error: CoreError) -> CoreError {
    match error {
        CoreError::Empty { .. } => CoreError::ReasonRequired,
        other => other,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Event {
    pub id: EventId,
    pub device_id: DeviceId,
    pub seq: i64,
    pub shop_id: ShopId,
    pub staff_id: StaffId,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub member_id: MemberId,
    pub program_id: Option<ProgramId>,
    pub amount: i64,
    pub voids: Option<EventId>,
    /// For a void: why, as a stable code (absent on voids written before codes existed).
    pub reason_code: Option<ReasonCode>,
    /// For a void: the staff member's own words, if any.
    pub reason: Option<String>,
    /// For a merge: the member merged into `member_id`.
    pub other_member: Option<MemberId>,
    /// The card the event was made on, when it matters to another till (a card from another
    /// shop punched before its member's details arrived).
    pub card_code: Option<String>,
    /// The coupon a `coupon_redeem` used, and that a void or a settlement of it is about.
    pub coupon_id: Option<CouponId>,
}

/// An event as the history screen and `tessera history` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct HistoryEntry {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub event: Event,
    pub staff_name: Option<String>,
    pub program_name: Option<String>,
    /// True when a later void cancelled this event.
    pub voided: bool,
}

/// What an action wants written; the ledger adds identity, sequence and time.
pub(crate) struct NewEvent {
    pub kind: EventKind,
    pub member_id: MemberId,
    pub program_id: Option<ProgramId>,
    pub amount: i64,
    pub voids: Option<EventId>,
    pub reason: Option<VoidReason>,
    /// For a merge: the member merged into `member_id`.
    pub other_member: Option<MemberId>,
    /// Words without a code: why a punch came sooner than its program's minimum time.
    pub note: Option<String>,
    /// The coupon used, or that a void of its use is about.
    pub coupon_id: Option<CouponId>,
}

pub(crate) const EVENT_COLUMNS: &str =
    "e.id, e.device_id, e.seq, e.shop_id, e.staff_id, e.at, e.kind, e.member_id, e.program_id, \
     e.amount, e.voids, e.reason_code, e.reason, e.other_member, e.card_code, e.coupon_id";

/// The short ids (`ledger.member`, the view's `member_n`) of the member `?1` and of every member
/// merged into them: `e.member_n IN` this reads `ledger_by_member`, where `e.member_id IN` a
/// list would read the whole ledger.
pub(crate) const MEMBER_AND_ALIASES: &str =
    "(SELECT n FROM short_id WHERE id IN (SELECT ?1 UNION ALL
                                          SELECT alias_id FROM member_alias WHERE member_id = ?1))";

/// The start of every insert into the ledger: its columns, in the order each binds them.
const INSERT_EVENT: &str = "INSERT INTO ledger (id, device, seq, shop, staff, at, kind, member,
                                                program, amount, voids, reason_code, reason,
                                                other_member, card_code, coupon_id)";

/// An id as the ledger holds it: its short id, which every id an event names has by then
/// (migration 0025, [`name_ids`]).
const SHORT: &str = "(SELECT n FROM short_id WHERE id = ?)";

/// Appends one event inside the caller's write transaction. The sequence number is taken and
/// bumped in that same statement (migration 0024), so a rolled-back action leaves no gap.
pub(crate) async fn append(tx: &mut WriteTx, staff_id: StaffId, new: NewEvent) -> Result<Event> {
    // One statement (issue 12): the event is this till's (its device, its next sequence
    // number, which the trigger of migration 0024 moves past it, its own shop), and an event on
    // a card from another shop carries the card's code, so that every till can tell whose it is
    // once the card arrives (counter::foreign). No device, or one of no shop yet: nothing is
    // written. The staff member, the member and the program are rows of this store, named as
    // they arrived (migration 0025).
    let id = EventId::new();
    let at = Utc::now();
    let reason_code = new.reason.as_ref().map(|r| r.code);
    let reason = new.reason.and_then(|r| r.note).or(new.note);
    let (rowid, device_id, seq, shop_id, card_code): (i64, DeviceId, i64, ShopId, Option<String>) =
        sqlx::query_as(&format!(
            "{INSERT_EVENT}
             SELECT ?1, sd.n, d.next_seq, ss.n, (SELECT n FROM short_id WHERE id = ?2), ?3, ?4,
                    (SELECT n FROM short_id WHERE id = ?5), (SELECT n FROM short_id WHERE id = ?6),
                    ?7, ?8, ?9, ?10, ?11, (SELECT code FROM provisional_card WHERE member_id = ?5),
                    ?12
             FROM device d JOIN short_id sd ON sd.id = d.id JOIN short_id ss ON ss.id = d.shop_id
             RETURNING n, (SELECT id FROM device), seq, (SELECT shop_id FROM device), card_code"
        ))
        .bind(id)
        .bind(staff_id)
        .bind(stored_at(at)?)
        .bind(new.kind.stored())
        .bind(new.member_id)
        .bind(new.program_id)
        .bind(new.amount)
        .bind(new.voids)
        .bind(reason_code)
        .bind(&reason)
        .bind(new.other_member)
        .bind(new.coupon_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(CoreError::ShopNotSetUp)?;
    count_for_reports_if_due(tx, rowid, 1).await?;
    let event = Event {
        id,
        device_id,
        seq,
        shop_id,
        staff_id,
        at,
        kind: new.kind,
        member_id: new.member_id,
        program_id: new.program_id,
        amount: new.amount,
        voids: new.voids,
        reason_code,
        reason,
        other_member: new.other_member,
        card_code,
        coupon_id: new.coupon_id,
    };
    Ok(event)
}

/// Gives a short id to every till, shop, staff member, member and program these events name
/// that has none here yet: those of other shops' events, which may arrive before their rows.
async fn name_ids(tx: &mut WriteTx, events: &[&Event]) -> Result<()> {
    let mut ids: Vec<uuid::Uuid> = events
        .iter()
        .flat_map(|e| {
            [
                Some(e.device_id.0),
                Some(e.shop_id.0),
                Some(e.staff_id.0),
                Some(e.member_id.0),
                e.program_id.map(|p| p.0),
            ]
        })
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(1000) {
        let mut insert = sqlx::QueryBuilder::new("INSERT OR IGNORE INTO short_id (id) ");
        insert.push_values(chunk, |mut row, id| {
            row.push_bind(*id);
        });
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Writes an event into the ledger as it is (its own or another till's). An event already
/// there (same id) is left alone: returns whether it was new.
pub(crate) async fn write(tx: &mut WriteTx, event: &Event) -> Result<bool> {
    name_ids(tx, &[event]).await?;
    let written = sqlx::query(&format!(
        "{INSERT_EVENT} VALUES (?, {SHORT}, ?, {SHORT}, {SHORT}, ?, ?, {SHORT}, {SHORT}, ?, ?, ?,
                               ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING"
    ))
    .bind(event.id)
    .bind(event.device_id)
    .bind(event.seq)
    .bind(event.shop_id)
    .bind(event.staff_id)
    .bind(stored_at(event.at)?)
    .bind(event.kind.stored())
    .bind(event.member_id)
    .bind(event.program_id)
    .bind(event.amount)
    .bind(event.voids)
    .bind(event.reason_code)
    .bind(&event.reason)
    .bind(event.other_member)
    .bind(&event.card_code)
    .bind(event.coupon_id)
    .execute(&mut **tx)
    .await?;
    count_for_reports_if_due(tx, written.last_insert_rowid(), written.rows_affected()).await?;
    Ok(written.rows_affected() == 1)
}

/// Counts the report tables' backlog in this transaction when these writes took the ledger past
/// a batch's worth of events (`reports::feed`): the one write in [`feed::BATCH`] that pays for
/// all of them.
async fn count_for_reports_if_due(tx: &mut WriteTx, last: i64, written: u64) -> Result<()> {
    if feed::batch_is_due(last, written) {
        feed::count_new_events(tx).await?;
    }
    Ok(())
}

/// [`write`] for several events at once, in the given order, which none of them may be in the
/// ledger already (see [`in_ledger`]). The report tables count them in this order too.
pub(crate) async fn write_all(tx: &mut WriteTx, events: &[&Event]) -> Result<()> {
    name_ids(tx, events).await?;
    // 16 parameters a row: well under SQLite's 32,766 a statement.
    for chunk in events.chunks(500) {
        let times = chunk
            .iter()
            .map(|e| stored_at(e.at))
            .collect::<Result<Vec<i64>>>()?;
        let mut insert = sqlx::QueryBuilder::new(format!("{INSERT_EVENT} "));
        insert.push_values(chunk.iter().zip(times), |mut row, (e, at)| {
            row.push_bind(e.id);
            push_short(&mut row, e.device_id.0);
            row.push_bind(e.seq);
            push_short(&mut row, e.shop_id.0);
            push_short(&mut row, e.staff_id.0);
            row.push_bind(at).push_bind(e.kind.stored());
            push_short(&mut row, e.member_id.0);
            push_short(&mut row, e.program_id.map(|p| p.0));
            row.push_bind(e.amount)
                .push_bind(e.voids)
                .push_bind(e.reason_code)
                .push_bind(e.reason.clone())
                .push_bind(e.other_member)
                .push_bind(e.card_code.clone())
                .push_bind(e.coupon_id);
        });
        let written = insert.build().execute(&mut **tx).await?;
        count_for_reports_if_due(tx, written.last_insert_rowid(), written.rows_affected()).await?;
    }
    Ok(())
}

/// One more value of a row: the short id of `id` ([`SHORT`]).
fn push_short<'q, T>(row: &mut sqlx::query_builder::Separated<'_, 'q, sqlx::Sqlite, &str>, id: T)
where
    T: 'q + sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.push("(SELECT n FROM short_id WHERE id = ")
        .push_bind_unseparated(id)
        .push_unseparated(")");
}

/// Which of `ids` the ledger holds.
pub(crate) async fn in_ledger(
    tx: &mut WriteTx,
    ids: &[EventId],
) -> Result<std::collections::HashSet<EventId>> {
    let found: Vec<(EventId,)> =
        crate::store::lists::fetch_in(tx, "SELECT id FROM ledger WHERE id IN ", ids).await?;
    Ok(found.into_iter().map(|(id,)| id).collect())
}

impl Store {
    pub async fn event(&self, id: EventId) -> Result<Event> {
        sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM event e WHERE e.id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::EventNotFound)
    }

    /// A member's events, newest first: with those of the members merged into them.
    pub async fn history(&self, member_id: MemberId, limit: i64) -> Result<Vec<HistoryEntry>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS}, s.name AS staff_name, p.name AS program_name,
                    EXISTS (SELECT 1 FROM ledger v WHERE v.voids = e.id AND v.kind = 4) AS voided
             FROM event e
             LEFT JOIN staff s ON s.id = e.staff_id
             LEFT JOIN program p ON p.id = e.program_id
             WHERE e.member_n IN {MEMBER_AND_ALIASES}
             ORDER BY e.at_ns DESC, e.seq DESC
             LIMIT ?2"
        ))
        .bind(crate::counter::merge::canonical(self.pool(), member_id).await?)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
