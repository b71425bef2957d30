//! The audit trail: what a manager looks back on. Voids and settled conflicts are in the ledger
//! already (who, when, why, synced with everything else); the rest (failed PINs, locks lifted,
//! staff changes, backups, members' data exported or erased) is written here, append-only, on
//! the till where it happened. Overrides (a punch sooner than its program allows, with a
//! reason) are read from the ledger too. `Store::audit_trail` reads both as one list.
//!
//! Nothing personal goes in: a member is named by id, a staff member by id, and a name typed
//! at sign-in that nobody has is only "unknown" (it may be a PIN typed in the wrong field).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
#[cfg(feature = "ts")]
use ts_rs::TS;
use uuid::Uuid;

use crate::error::Result;
use crate::ids::StaffId;
use crate::store::{Store, WriteTx};

/// What an audit entry is about. Stored as its snake_case name.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    sqlx::Type,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "kebab-case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum AuditKind {
    /// A wrong PIN, or a name nobody has (`subject` is the staff member when there is one).
    PinFailed,
    /// A name was locked after too many wrong PINs.
    SignInLocked,
    /// A manager lifted a lock.
    StaffUnlocked,
    StaffAdded,
    StaffRenamed,
    StaffRoleChanged,
    PinSet,
    StaffDeactivated,
    StaffReactivated,
    ProgramChanged,
    /// This till's settings changed (`detail`: which, to what).
    SettingsChanged,
    BackupTaken,
    Restored,
    MembersExported,
    MembersImported,
    MemberErased,
    MemberDataExported,
    /// A campaign written to a segment (`subject` is the campaign, `detail` how, to whom).
    CampaignRun,
    /// From the ledger: an event cancelled (`subject` is the event, `detail` the reason).
    Void,
    /// From the ledger: a conflict settled by accepting the loss.
    Forgive,
    /// From the ledger: a conflict settled by charging the card.
    ChargeBack,
    /// From the ledger: a punch sooner than its program's minimum time, with the cashier's
    /// reason (`subject` is the member).
    Override,
}

impl AuditKind {
    /// The Fluent message that names it: `audit-kind-` and the kind in kebab case.
    pub fn message_key(self) -> String {
        let kebab: &'static str = self.into();
        format!("audit-kind-{kebab}")
    }
}

/// One line of the trail: who did what, when, to what, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub kind: AuditKind,
    pub staff_id: Option<StaffId>,
    /// The staff member's name, when they are known here.
    pub staff_name: Option<String>,
    pub subject: Option<String>,
    /// The subject's name when it is a staff member known here (who was added, locked...).
    #[sqlx(default)]
    pub subject_name: Option<String>,
    pub detail: Option<String>,
}

/// Writes one entry inside the caller's transaction, so that the entry and what it records
/// are saved together or not at all.
pub(crate) async fn record(
    tx: &mut WriteTx,
    staff_id: Option<StaffId>,
    kind: AuditKind,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    record_at(tx, Utc::now(), staff_id, kind, subject, detail).await
}

pub(crate) async fn record_at(
    tx: &mut WriteTx,
    at: DateTime<Utc>,
    staff_id: Option<StaffId>,
    kind: AuditKind,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit (id, at, staff_id, kind, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(Uuid::now_v7())
    .bind(at)
    .bind(staff_id)
    .bind(kind)
    .bind(subject)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The trail between two times, newest first: this till's audit entries and the chain's
    /// voids and settlements from the ledger. Managers only (the caller checks: see
    /// `Permission::ReadAudit`).
    pub(crate) async fn audit_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let mut entries: Vec<AuditEntry> = sqlx::query_as(
            "SELECT at, kind, staff_id, staff_name, subject, detail FROM (
                 SELECT a.at, a.kind, a.staff_id, s.name AS staff_name, a.subject, a.detail
                 FROM audit a LEFT JOIN staff s ON s.id = a.staff_id
                 WHERE a.at >= ?1 AND a.at < ?2
                 UNION ALL
                 -- every event that names another is a void or a settlement (the partial
                 -- index on `voids` finds them without reading the whole ledger)
                 SELECT e.at, e.kind, e.staff_id, s.name, lower(hex(e.voids)),
                        coalesce(e.reason, e.reason_code)
                 FROM event e LEFT JOIN staff s ON s.id = e.staff_id
                 WHERE e.voids IS NOT NULL AND e.at_ns >= ?4 AND e.at_ns < ?5
                 UNION ALL
                 -- overrides: found through their own partial index (migrations 0010, 0025)
                 SELECT e.at, 'override', e.staff_id, s.name, lower(hex(e.member_id)), e.reason
                 FROM event e LEFT JOIN staff s ON s.id = e.staff_id
                 WHERE e.kind_code = 2 AND e.reason IS NOT NULL
                   AND e.at_ns >= ?4 AND e.at_ns < ?5
             ) ORDER BY at DESC LIMIT ?3",
        )
        .bind(from)
        .bind(to)
        .bind(limit)
        .bind(crate::ledger::stored_at(from)?)
        .bind(crate::ledger::stored_at(to)?)
        .fetch_all(self.pool())
        .await?;
        let staff: HashMap<String, String> =
            sqlx::query_as::<_, (StaffId, String)>("SELECT id, name FROM staff")
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect();
        for entry in &mut entries {
            entry.subject_name = entry.subject.as_ref().and_then(|s| staff.get(s)).cloned();
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Messages;
    use strum::IntoEnumIterator;

    #[rstest::rstest]
    fn every_kind_has_a_name_in_every_language(
        #[values("en", "fr", "it", "ro", "hu")] language: &str,
    ) {
        let messages = Messages::new(language);
        for kind in AuditKind::iter() {
            assert!(messages.has(&kind.message_key()), "{language}: {kind:?}");
        }
        assert_eq!(AuditKind::PinFailed.message_key(), "audit-kind-pin-failed");
    }
}
