//! The doctor's mark (migration 0022, docs/decisions/0034-doctor-since-its-mark.md): how far
//! each device's events had gone when the doctor last found the store sound, and what the
//! events past it touched, which is all the next doctor needs to look at.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::error::Result;
use crate::ids::{DeviceId, EventId, MemberId};
use crate::reports::activity::Since;
use crate::reports::clock::SLOT_NS;
use crate::store::{lists, WriteTx};

/// Each device's last event, and the programs' stamp, as a doctor run begins: the mark it
/// leaves if it finds the store sound. Events that land while it runs are past it, for the next.
pub(super) struct Head {
    pub devices: Vec<(DeviceId, i64)>,
    programs: i64,
}

/// The last sound check.
pub(super) struct Mark {
    pub devices: HashMap<DeviceId, i64>,
    pub at: DateTime<Utc>,
    programs: i64,
}

/// What a run looks at, when it looks at what the events past the mark touched.
pub(super) struct Touched {
    /// The members whose cards those events can have changed, with every id they go by.
    pub members: Vec<MemberId>,
    /// The same, as the reports name them, and the first quarter hour touched.
    pub reports: Since,
    /// How many events are past the mark.
    pub events: i64,
}

pub(super) async fn head(conn: &mut SqliteConnection) -> Result<Head> {
    let programs = sqlx::query_scalar("SELECT programs FROM cache_stamp WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    // One step through the index on (device, seq) per device, not a read of all of it.
    let devices = sqlx::query_as(
        "WITH RECURSIVE d(n) AS (
             SELECT min(device) FROM ledger
             UNION ALL
             SELECT (SELECT min(device) FROM ledger WHERE device > d.n) FROM d
             WHERE d.n IS NOT NULL)
         SELECT s.id, (SELECT max(seq) FROM ledger WHERE device = d.n)
         FROM d JOIN short_id s ON s.n = d.n
         ORDER BY s.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Head { devices, programs })
}

/// The last sound check, if there was one, the programs did not change since, and the events
/// past it are not the bulk of the ledger.
pub(super) async fn usable(conn: &mut SqliteConnection, head: &Head) -> Result<Option<Mark>> {
    let check: Option<(DateTime<Utc>, i64)> =
        sqlx::query_as("SELECT at, programs FROM doctor_check WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let Some((at, programs)) = check else {
        return Ok(None);
    };
    let devices = sqlx::query_as("SELECT device_id, seq FROM doctor_mark")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let mark = Mark {
        devices,
        at,
        programs,
    };
    Ok((mark.programs == head.programs && mark.worth_going_on_from(head)).then_some(mark))
}

impl Mark {
    /// Where `device`'s unchecked events begin after: 0 for a device the mark never saw.
    pub fn seq(&self, device: &DeviceId) -> i64 {
        self.devices.get(device).copied().unwrap_or(0)
    }

    /// Whether the events past the mark are few enough for a look at what they touched to be
    /// worth it: a quarter of the ledger at most (sequences are gap-free, so a device's last
    /// number is its count).
    pub fn worth_going_on_from(&self, head: &Head) -> bool {
        let all: i64 = head.devices.iter().map(|(_, last)| last).sum();
        let new: i64 = head
            .devices
            .iter()
            .map(|(device, last)| (last - self.seq(device)).max(0))
            .sum();
        new * 4 <= all
    }
}

/// What the events between the mark and the head touched.
pub(super) async fn touched(
    conn: &mut SqliteConnection,
    mark: &Mark,
    head: &Head,
) -> Result<Touched> {
    let mut members: BTreeSet<MemberId> = BTreeSet::new();
    let mut targets: Vec<EventId> = Vec::new();
    let mut from_slot = i64::MAX;
    let mut events = 0;
    for (device, last) in &head.devices {
        let new: Vec<(MemberId, Option<MemberId>, Option<EventId>, i64)> =
            sqlx::query_as(&format!(
                "SELECT member_id, other_member, voids, at_ns / {SLOT_NS} FROM event
             WHERE device_id = ? AND seq > ? AND seq <= ?"
            ))
            .bind(device)
            .bind(mark.seq(device))
            .bind(last)
            .fetch_all(&mut *conn)
            .await?;
        events += new.len() as i64;
        for (member, other, voids, slot) in new {
            members.insert(member);
            members.extend(other);
            targets.extend(voids);
            from_slot = from_slot.min(slot);
        }
    }
    // A void (or a settlement) changes what its target counted for, where and when it was.
    let voided: Vec<(MemberId, i64)> = lists::fetch_in(
        conn,
        &format!("SELECT member_id, at_ns / {SLOT_NS} FROM event WHERE id IN "),
        &targets,
    )
    .await?;
    for (member, slot) in voided {
        members.insert(member);
        from_slot = from_slot.min(slot);
    }
    let members = with_their_aliases(conn, members).await?;
    let short: Vec<(i64,)> =
        lists::fetch_in(conn, "SELECT n FROM short_id WHERE id IN ", &members).await?;
    Ok(Touched {
        members,
        reports: Since {
            members: short.into_iter().map(|(n,)| n).collect(),
            // Nothing new: the quarter hours from now on (none, unless a clock ran ahead).
            from_slot: from_slot.min(Utc::now().timestamp() / 900),
        },
        events,
    })
}

/// A merged member's cards are counted on the member they stand for (`member_alias`): the
/// members, the ones they stand for, and every id standing for one of those.
async fn with_their_aliases(
    conn: &mut SqliteConnection,
    members: BTreeSet<MemberId>,
) -> Result<Vec<MemberId>> {
    let aliases: Vec<(MemberId, MemberId)> =
        sqlx::query_as("SELECT alias_id, member_id FROM member_alias")
            .fetch_all(&mut *conn)
            .await?;
    let stands_for: HashMap<MemberId, MemberId> = aliases.iter().copied().collect();
    let canonical: BTreeSet<MemberId> = members
        .iter()
        .map(|m| stands_for.get(m).copied().unwrap_or(*m))
        .collect();
    let mut all: BTreeSet<MemberId> = members;
    all.extend(canonical.iter().copied());
    all.extend(
        aliases
            .iter()
            .filter(|(_, member)| canonical.contains(member))
            .map(|(alias, _)| *alias),
    );
    Ok(all.into_iter().collect())
}

/// Sets the mark at `head`: the store was found sound up to it.
pub(super) async fn set(tx: &mut WriteTx, head: &Head, whole: bool) -> Result<()> {
    sqlx::query("DELETE FROM doctor_mark")
        .execute(&mut **tx)
        .await?;
    for (device, seq) in &head.devices {
        sqlx::query("INSERT INTO doctor_mark (device_id, seq) VALUES (?, ?)")
            .bind(device)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
    }
    let now = Utc::now();
    // A run that looked at less leaves the last full check's time as it was.
    sqlx::query(
        "INSERT INTO doctor_check (id, at, full_at, programs) VALUES (1, ?1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET at = excluded.at, programs = excluded.programs,
             full_at = CASE WHEN ?3 THEN excluded.full_at ELSE full_at END",
    )
    .bind(now)
    .bind(head.programs)
    .bind(whole)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes the mark: the next doctor looks at everything. For whatever rewrites a table kept
/// from the ledger other than through a new event.
pub(crate) async fn forget(tx: &mut WriteTx) -> Result<()> {
    sqlx::query("DELETE FROM doctor_mark")
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM doctor_check")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
