//! The till's side of sync, as state: what it tells the hub when joining, what it has to push,
//! what it knows of every device's logs, and taking in what it pulled. No networking here
//! (`client` talks, `session` drives both), so each step is one transaction and can be
//! tested on a real store alone.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::ids::DeviceId;
use crate::ledger::{Event, EVENT_COLUMNS};
use crate::store::{Store, WriteTx};
use crate::sync::protocol::{
    DeviceMarks, JoinReply, JoinRequest, Log, Marks, Outcome, PullReply, PullRequest, PushReply,
    PushRequest, PROTOCOL_VERSION,
};
use crate::sync::records::{self, Merged, WireChange};
use crate::sync::wire::WireEvent;

/// The hub this till syncs with.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HubLink {
    pub url: String,
    pub token: String,
    pub trust_pem: Option<String>,
    pub device_no: i64,
    pub code_prefix: String,
    pub joined_at: DateTime<Utc>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The till's line to its hub, as the header shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Line {
    /// The till works alone.
    NotInChain,
    /// Joined, no sync has finished yet.
    NotYet,
    /// The last sync went through.
    Online,
    /// The last sync could not reach the hub: the till works offline.
    Offline,
    /// The hub answered but refused (a revoked token...): a manager should look.
    Failing,
}

/// Where the till stands with its hub: what the header shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SyncStatus {
    pub line: Line,
    /// `None` when the till is not part of a chain.
    pub hub: Option<String>,
    /// This till's device id (the name its events are in), once it has one.
    pub device_id: Option<DeviceId>,
    pub device_no: Option<i64>,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The error code of the last attempt, if it failed.
    pub last_error: Option<String>,
    /// This till's events the hub has not acknowledged yet.
    pub events_waiting: i64,
    /// This till's record changes (members, cards, staff...) not acknowledged yet.
    pub changes_waiting: i64,
    /// Entries the hub refused: a manager looks at them.
    pub rejected: i64,
    /// Members of other shops set aside because a member here has their card code.
    pub code_clashes: i64,
}

/// A member from another shop set aside because a member here already has their card code
/// (both codes made before their tills joined the chain).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CodeClash {
    pub code: String,
    /// The member set aside (if the clash came with the member's record; a card alone names
    /// only its member's id).
    pub name: Option<String>,
    /// Who has the code here.
    pub holder: Option<String>,
    pub found_at: DateTime<Utc>,
}

/// A refusal from the hub of one of this till's entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Rejection {
    pub log: String,
    pub seq: i64,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// What taking in one pulled page did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TakenIn {
    pub changes: usize,
    pub events: usize,
    /// Members kept aside because another member has their code (made before joining).
    pub code_clashes: usize,
}

/// How a till that has never been set up becomes its shop's till on joining.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTill {
    pub language: String,
    pub currency: String,
}

async fn own_device(tx: &mut WriteTx) -> Result<Option<DeviceId>> {
    Ok(sqlx::query_scalar("SELECT id FROM device")
        .fetch_optional(&mut **tx)
        .await?)
}

async fn marks_of(tx: &mut WriteTx, device: Uuid) -> Result<Marks> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT log, seq FROM sync_mark WHERE device_id = ?")
            .bind(device)
            .fetch_all(&mut **tx)
            .await?;
    let mut marks = Marks::default();
    for (log, seq) in rows {
        let log = Log::named(&log);
        marks.set(log, seq);
    }
    Ok(marks)
}

/// Marks only move forward: a late or replayed answer never takes a till back.
async fn raise_mark(tx: &mut WriteTx, device: Uuid, log: Log, seq: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_mark (device_id, log, seq) VALUES (?, ?, ?)
         ON CONFLICT (device_id, log) DO UPDATE SET seq = max(seq, excluded.seq)",
    )
    .bind(device)
    .bind(log.as_str())
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    pub async fn hub_link(&self) -> Result<Option<HubLink>> {
        Ok(sqlx::query_as(
            "SELECT url, token, trust_pem, device_no, code_prefix, joined_at, last_sync_at,
                    last_error
             FROM sync_hub",
        )
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn require_hub_link(&self) -> Result<HubLink> {
        self.hub_link().await?.ok_or(CoreError::NotInChain)
    }

    /// What the till tells the hub when joining: its device (made now, without a shop, if the
    /// till was never set up, so that a join whose answer was lost can be asked again with the
    /// same device) and its shop, if it has one.
    pub(crate) async fn join_request(&self) -> Result<JoinRequest> {
        let mut tx = self.begin_write().await?;
        if sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM sync_hub)")
            .fetch_one(&mut *tx)
            .await?
        {
            return Err(CoreError::AlreadyInChain);
        }
        let device = match own_device(&mut tx).await? {
            Some(device) => device,
            None => {
                let device = DeviceId::new();
                sqlx::query("INSERT INTO device (id, next_seq, created_at) VALUES (?, 1, ?)")
                    .bind(device)
                    .bind(Utc::now())
                    .execute(&mut *tx)
                    .await?;
                device
            }
        };
        let shop: Option<Uuid> = sqlx::query_scalar("SELECT shop_id FROM device")
            .fetch_one(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(JoinRequest {
            version: PROTOCOL_VERSION,
            device: device.0,
            shop,
        })
    }

    /// Records the hub's answer to a join: the till is now a till of `reply.shop`. A till that
    /// was never set up makes that shop its own: as the shop's first till it writes the shop
    /// (with `new_till`'s language and currency), otherwise it holds the shop's name until the
    /// first pull brings the shop as the chain knows it.
    pub(crate) async fn finish_join(
        &self,
        url: &str,
        token: &str,
        trust_pem: Option<&str>,
        reply: &JoinReply,
        new_till: &NewTill,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let device = own_device(&mut tx)
            .await?
            .ok_or_else(|| CoreError::internal("join", "no device row after the join request"))?;
        let shop: Option<Uuid> = sqlx::query_scalar("SELECT shop_id FROM device")
            .fetch_one(&mut *tx)
            .await?;
        if shop.is_none() {
            // Version '' (logged, goes up) when this till brings the shop to the chain; '0' (a
            // placeholder any real version replaces) when the chain already has it.
            let version = if reply.new_shop { "" } else { "0" };
            sqlx::query(
                "INSERT INTO shop (id, name, language, currency, created_at, version)
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            )
            .bind(reply.shop)
            .bind(&reply.shop_name)
            .bind(&new_till.language)
            .bind(&new_till.currency)
            .bind(Utc::now())
            .bind(version)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE device SET shop_id = ?")
                .bind(reply.shop)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO sync_hub (id, url, token, trust_pem, device_no, code_prefix, joined_at)
             VALUES (1, ?, ?, ?, ?, ?, ?)",
        )
        .bind(url)
        .bind(token)
        .bind(trust_pem)
        .bind(reply.device_no)
        .bind(&reply.code_prefix)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        raise_mark(&mut tx, device.0, Log::Event, reply.marks.events).await?;
        raise_mark(&mut tx, device.0, Log::Change, reply.marks.changes).await?;
        self.commit(tx).await
    }

    /// The next push: this till's changes and then its events past what the hub acknowledged,
    /// `limit` entries at most. Empty when everything is acknowledged.
    pub(crate) async fn outgoing(&self, limit: usize) -> Result<PushRequest> {
        // A read transaction: one snapshot, so each record is read as it is now.
        let mut tx = self.pool().begin().await?;
        let device = own_device(&mut tx).await?.ok_or(CoreError::ShopNotSetUp)?;
        let marks = marks_of(&mut tx, device.0).await?;
        let entries: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, kind, record_key FROM change WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(marks.changes)
        .bind(limit as i64)
        .fetch_all(&mut *tx)
        .await?;
        let mut changes = Vec::with_capacity(entries.len());
        for (seq, kind, key) in entries {
            let record = records::read(&mut tx, &kind, &key).await?.ok_or_else(|| {
                CoreError::internal("sync", "a change names a record that is not there")
            })?;
            changes.push(WireChange {
                device: device.0,
                seq,
                record,
            });
        }
        let room = limit.saturating_sub(changes.len()) as i64;
        let events: Vec<Event> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM event e WHERE e.device_id = ? AND e.seq > ?
             ORDER BY e.seq LIMIT ?"
        ))
        .bind(device)
        .bind(marks.events)
        .bind(room)
        .fetch_all(&mut *tx)
        .await?;
        tx.rollback().await?;
        Ok(PushRequest {
            version: PROTOCOL_VERSION,
            device: device.0,
            changes,
            events: events.iter().map(WireEvent::from).collect(),
        })
    }

    /// Takes the hub's answer to a push: its marks, and the entries it refused (kept for a
    /// manager). Returns how many were refused.
    pub(crate) async fn acknowledge(&self, reply: &PushReply) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let device = own_device(&mut tx).await?.ok_or(CoreError::ShopNotSetUp)?;
        raise_mark(&mut tx, device.0, Log::Event, reply.marks.events).await?;
        raise_mark(&mut tx, device.0, Log::Change, reply.marks.changes).await?;
        let mut rejected = 0;
        for (log, outcomes) in [(Log::Change, &reply.changes), (Log::Event, &reply.events)] {
            for outcome in outcomes {
                if let Outcome::Rejected { seq, reason } = outcome {
                    rejected += 1;
                    sqlx::query(
                        "INSERT INTO sync_rejection (log, seq, reason, at) VALUES (?, ?, ?, ?)
                         ON CONFLICT (log, seq) DO NOTHING",
                    )
                    .bind(log.as_str())
                    .bind(seq)
                    .bind(reason)
                    .bind(Utc::now())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        self.commit(tx).await?;
        Ok(rejected)
    }

    /// The next pull: how far this till knows every other device's logs.
    pub(crate) async fn pull_request(&self, limit: usize) -> Result<PullRequest> {
        let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
            "SELECT device_id, log, seq FROM sync_mark
             WHERE device_id != (SELECT id FROM device) ORDER BY device_id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut marks: Vec<DeviceMarks> = Vec::new();
        for (device, log, seq) in rows {
            if marks.last().map(|m| m.device) != Some(device) {
                marks.push(DeviceMarks {
                    device,
                    marks: Marks::default(),
                });
            }
            let log = Log::named(&log);
            if let Some(last) = marks.last_mut() {
                last.marks.set(log, seq);
            }
        }
        Ok(PullRequest {
            version: PROTOCOL_VERSION,
            marks,
            limit,
        })
    }

    /// Takes in one pulled page, all or nothing: records merged by version, events written
    /// and applied to their cards through the counter's own rule, and the marks moved, in one
    /// transaction. Taking in the same page twice changes nothing.
    pub(crate) async fn take_in(&self, page: &PullReply) -> Result<TakenIn> {
        let mut tx = self.begin_write().await?;
        let own = own_device(&mut tx).await?.ok_or(CoreError::ShopNotSetUp)?;
        let mut taken = TakenIn::default();
        for change in page.changes.iter().filter(|c| c.device != own.0) {
            if let Err(reason) = change.record.check() {
                // The hub checks the same; a record it let through and we cannot read waits
                // for a newer version, and support finds the reason in the log.
                tracing::warn!(
                    reason,
                    kind = change.record.kind(),
                    "a pulled record was refused"
                );
                continue;
            }
            match records::merge(&mut tx, &change.record).await? {
                Merged::Taken => taken.changes += 1,
                Merged::Kept => {}
                Merged::CodeClash => taken.code_clashes += 1,
            }
        }
        let events: Vec<Event> = page
            .events
            .iter()
            .filter(|e| e.device != own.0)
            .filter_map(|wire| match Event::try_from(wire.clone()) {
                Ok(event) => Some(event),
                Err(why) => {
                    tracing::warn!(%why, "a pulled event was refused");
                    None
                }
            })
            .collect();
        taken.events += crate::sync::ingest::receive_all(&mut tx, &events).await?;
        for mark in &page.marks {
            raise_mark(&mut tx, mark.device, Log::Event, mark.marks.events).await?;
            raise_mark(&mut tx, mark.device, Log::Change, mark.marks.changes).await?;
        }
        self.commit(tx).await?;
        Ok(taken)
    }

    /// Notes how the last sync went (for the header and `tessera sync status`).
    pub(crate) async fn note_sync(&self, error: Option<&str>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if error.is_none() {
            sqlx::query("UPDATE sync_hub SET last_sync_at = ?, last_error = NULL")
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("UPDATE sync_hub SET last_error = ?")
                .bind(error)
                .execute(&mut *tx)
                .await?;
        }
        self.commit(tx).await
    }

    pub async fn sync_status(&self) -> Result<SyncStatus> {
        let link = self.hub_link().await?;
        let device_id: Option<DeviceId> = sqlx::query_scalar("SELECT id FROM device")
            .fetch_optional(self.pool())
            .await?;
        let (events_waiting, changes_waiting, rejected, code_clashes): (i64, i64, i64, i64) =
            sqlx::query_as(
                "SELECT
                coalesce((SELECT next_seq - 1 FROM device), 0)
                  - coalesce((SELECT seq FROM sync_mark
                              WHERE device_id = (SELECT id FROM device) AND log = 'event'), 0),
                coalesce((SELECT max(seq) FROM change), 0)
                  - coalesce((SELECT seq FROM sync_mark
                              WHERE device_id = (SELECT id FROM device) AND log = 'change'), 0),
                (SELECT count(*) FROM sync_rejection),
                (SELECT count(DISTINCT code) FROM code_clash)",
            )
            .fetch_one(self.pool())
            .await?;
        let line = match &link {
            None => Line::NotInChain,
            Some(l) => match (l.last_error.as_deref(), l.last_sync_at) {
                (Some("hub_unreachable"), _) => Line::Offline,
                (Some(_), _) => Line::Failing,
                (None, Some(_)) => Line::Online,
                (None, None) => Line::NotYet,
            },
        };
        Ok(SyncStatus {
            line,
            hub: link.as_ref().map(|l| l.url.clone()),
            device_id,
            device_no: link.as_ref().map(|l| l.device_no),
            last_sync_at: link.as_ref().and_then(|l| l.last_sync_at),
            last_error: link.and_then(|l| l.last_error),
            events_waiting,
            changes_waiting,
            rejected,
            code_clashes,
        })
    }

    /// Members set aside for sharing a card code with a member here, newest first.
    pub async fn code_clashes(&self) -> Result<Vec<CodeClash>> {
        let rows: Vec<(String, String, DateTime<Utc>, Option<String>)> = sqlx::query_as(
            "SELECT c.code, c.record, c.found_at, m.name FROM code_clash c
             LEFT JOIN member m ON m.code = c.code ORDER BY c.found_at DESC, c.code",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(code, record, found_at, holder)| CodeClash {
                name: match serde_json::from_str(&record) {
                    Ok(records::WireRecord::Member(member)) => Some(member.name),
                    _ => None,
                },
                code,
                holder,
                found_at,
            })
            .collect())
    }

    /// What the hub refused of this till's entries, newest first.
    pub async fn sync_rejections(&self) -> Result<Vec<Rejection>> {
        Ok(sqlx::query_as(
            "SELECT log, seq, reason, at FROM sync_rejection ORDER BY at DESC, log, seq",
        )
        .fetch_all(self.pool())
        .await?)
    }
}
