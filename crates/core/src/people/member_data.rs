//! A member's data as the GDPR sees it (docs/decisions/0021-members-data.md): their details
//! shown and corrected, marketing consent per channel with its time and source, a copy of
//! everything held about them (access request), and erasure that blanks the personal data and
//! keeps the anonymous ledger, so every report stays true.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::audit::{self, AuditKind};
use crate::counter::card::CardView;
use crate::error::{CoreError, Result};
use crate::ids::MemberId;
use crate::input::{phone, validate};
use crate::ledger::HistoryEntry;
use crate::people::auth::Permission;
use crate::people::members::Member;
use crate::people::shop::Actor;
use crate::store::{Store, WriteTx};

/// A marketing channel a member may agree to be written to on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::EnumIter)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    fn column(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// Where a member said yes or no.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum ConsentSource {
    /// At the counter, asked by a staff member.
    Counter,
    /// In a file of members imported by a manager.
    Import,
    /// From a script (`tessera member consent`).
    Cli,
}

/// A member's answer on one channel: yes or no, when, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ChannelConsent {
    pub granted: bool,
    pub at: DateTime<Utc>,
    pub source: ConsentSource,
}

/// Per channel: `None` when never asked (nothing is sent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Consent {
    pub email: Option<ChannelConsent>,
    pub sms: Option<ChannelConsent>,
}

/// Everything held about one member: the member screen, and the access-request export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct MemberDetails {
    pub member: Member,
    pub consent: Consent,
    pub erased_at: Option<DateTime<Utc>>,
    pub cards: Vec<CardView>,
    /// Newest first, every event.
    pub history: Vec<HistoryEntry>,
}

/// What a correction changes; `None` leaves a field as it is, an empty email or phone
/// removes it.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct MemberEdit {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub email: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub language: Option<String>,
}

type ConsentRow = (
    Option<bool>,
    Option<DateTime<Utc>>,
    Option<ConsentSource>,
    Option<bool>,
    Option<DateTime<Utc>>,
    Option<ConsentSource>,
    Option<DateTime<Utc>>,
);

fn channel(
    granted: Option<bool>,
    at: Option<DateTime<Utc>>,
    source: Option<ConsentSource>,
) -> Option<ChannelConsent> {
    Some(ChannelConsent {
        granted: granted?,
        at: at?,
        source: source?,
    })
}

/// Writes one channel's answer inside the caller's transaction (the counter, an import).
pub(crate) async fn write_consent(
    tx: &mut WriteTx,
    id: MemberId,
    channel: Channel,
    consent: &ChannelConsent,
) -> Result<()> {
    let c = channel.column();
    sqlx::query(&format!(
        "UPDATE member SET {c}_consent = ?, {c}_consent_at = ?, {c}_consent_source = ?
         WHERE id = ?"
    ))
    .bind(consent.granted)
    .bind(consent.at)
    .bind(consent.source)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    async fn consent_of(&self, id: MemberId) -> Result<(Consent, Option<DateTime<Utc>>)> {
        let row: ConsentRow = sqlx::query_as(
            "SELECT email_consent, email_consent_at, email_consent_source,
                    sms_consent, sms_consent_at, sms_consent_source, erased_at
             FROM member WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::MemberNotFound)?;
        let (eg, ea, es, sg, sa, ss, erased_at) = row;
        Ok((
            Consent {
                email: channel(eg, ea, es),
                sms: channel(sg, sa, ss),
            },
            erased_at,
        ))
    }

    /// A member, their consent, cards and whole history: what the member screen shows.
    pub async fn member_details(&self, id: MemberId) -> Result<MemberDetails> {
        let view = self.member_view(id).await?;
        let id = view.member.id;
        let (consent, erased_at) = self.consent_of(id).await?;
        Ok(MemberDetails {
            history: self.history(id, i64::MAX).await?,
            member: view.member,
            cards: view.cards,
            consent,
            erased_at,
        })
    }

    pub(crate) async fn require_not_erased(&self, id: MemberId) -> Result<()> {
        match self.consent_of(id).await?.1 {
            Some(_) => Err(CoreError::MemberErased),
            None => Ok(()),
        }
    }

    /// Corrects a member's details (anyone who may enrol: a typo at the counter). The same
    /// checks as enrolment; the change syncs.
    pub async fn edit_member(
        &self,
        actor: &Actor,
        id: MemberId,
        edit: &MemberEdit,
    ) -> Result<Member> {
        actor.require(Permission::Enroll)?;
        let id = crate::counter::merge::canonical(self.pool(), id).await?;
        self.require_not_erased(id).await?;
        let mut member = self.member(id).await?;
        if let Some(name) = &edit.name {
            member.name = validate::name(name)?;
        }
        if let Some(email) = &edit.email {
            member.email = validate::email(Some(email))?;
        }
        let mut digits = member
            .phone
            .as_deref()
            .and_then(|p| validate::phone(Some(p)).ok().flatten())
            .map(|(_, d)| d);
        if let Some(new_phone) = &edit.phone {
            let checked = validate::phone(Some(new_phone))?;
            member.phone = checked.as_ref().map(|(p, _)| p.clone());
            digits = checked.map(|(_, d)| d);
        }
        if let Some(language) = &edit.language {
            member.language = validate::language(language)?;
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE member SET name = ?, email = ?, phone = ?, phone_digits = ?, phone_tail = ?,
                               language = ?
             WHERE id = ?",
        )
        .bind(&member.name)
        .bind(&member.email)
        .bind(&member.phone)
        .bind(&digits)
        .bind(digits.as_deref().map(phone::tail))
        .bind(&member.language)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(member)
    }

    /// Records a member's yes or no on one channel, now, from `source` (anyone who may enrol:
    /// consent is asked at the counter). The answer syncs with the member.
    pub async fn set_consent(
        &self,
        actor: &Actor,
        id: MemberId,
        channel: Channel,
        granted: bool,
        source: ConsentSource,
    ) -> Result<Consent> {
        actor.require(Permission::Enroll)?;
        let id = crate::counter::merge::canonical(self.pool(), id).await?;
        self.require_not_erased(id).await?;
        let consent = ChannelConsent {
            granted,
            at: Utc::now(),
            source,
        };
        let mut tx = self.begin_write().await?;
        write_consent(&mut tx, id, channel, &consent).await?;
        self.commit(tx).await?;
        Ok(self.consent_of(id).await?.0)
    }

    /// Managers only: everything held about a member, for their access request (JSON); the
    /// export is in the audit trail.
    pub async fn export_member_data(&self, actor: &Actor, id: MemberId) -> Result<MemberDetails> {
        actor.require(Permission::MembersData)?;
        let details = self.member_details(id).await?;
        let mut tx = self.begin_write().await?;
        let subject = details.member.id.to_string();
        audit::record(
            &mut tx,
            Some(actor.staff_id),
            AuditKind::MemberDataExported,
            Some(&subject),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(details)
    }

    /// Managers only: erases a member's personal data. Their name, email, phone and consent are
    /// gone from this till's files; their id, card code and ledger stay, anonymous, so reports
    /// and other members' history stay true. The erasure syncs, and no replica ever takes
    /// older or concurrent details over it (its version sorts after every other). The file's
    /// free space is zeroed and the write-ahead log emptied, so the data is not left on disk.
    pub async fn erase_member(&self, actor: &Actor, id: MemberId) -> Result<()> {
        actor.require(Permission::MembersData)?;
        let id = crate::counter::merge::canonical(self.pool(), id).await?;
        self.require_not_erased(id).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE member SET name = '', email = NULL, phone = NULL, phone_digits = NULL,
                    phone_tail = NULL, email_consent = NULL, email_consent_at = NULL,
                    email_consent_source = NULL, sms_consent = NULL, sms_consent_at = NULL,
                    sms_consent_source = NULL, erased_at = ?
             WHERE id = ?",
        )
        .bind(Utc::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // The name search index only marks a deleted entry until its segments are merged:
        // merged now, the erased name's words are gone from it. (FTS5's own secure-delete
        // option reports the external-content index as malformed after a rename on SQLite
        // 3.46, so it is not used.) This rewrites the index: erasures are rare.
        sqlx::query("INSERT INTO member_name_search (member_name_search) VALUES ('optimize')")
            .execute(&mut *tx)
            .await?;
        // The change-log trigger gave the row its new version; '~' puts it after every other.
        sqlx::query("UPDATE member SET version = '~' || version WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Their complaints keep their facts (category, times, answers) for the reports, not
        // the words written about them; blanked the same sticky way on every till.
        let complaints = "member_id IN (SELECT ?1 UNION ALL
                                        SELECT alias_id FROM member_alias WHERE member_id = ?1)";
        sqlx::query(&format!(
            "UPDATE complaint SET note = '', resolution = NULL WHERE {complaints}"
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "UPDATE complaint SET version = '~' || version
             WHERE {complaints} AND version NOT LIKE '~%'"
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let subject = id.to_string();
        audit::record(
            &mut tx,
            Some(actor.staff_id),
            AuditKind::MemberErased,
            Some(&subject),
            None,
        )
        .await?;
        self.commit(tx).await?;
        self.empty_the_log().await;
        Ok(())
    }
}
