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

/// What a member may agree to, each on its own: being written to by email, by SMS, and being
/// on the shop's panel (asked for their opinion now and then, never often).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::EnumIter)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Channel {
    Email,
    Sms,
    Panel,
}

impl Channel {
    pub(crate) fn column(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Panel => "panel",
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
    /// The member followed the link in a message the shop sent them (unsubscribe).
    Link,
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

/// Per channel: `None` when never asked (nothing is sent, nobody is sampled).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Consent {
    pub email: Option<ChannelConsent>,
    pub sms: Option<ChannelConsent>,
    // Added with the panel (migration 0019): absent from a member written before, and left
    // out of one never asked, so a till of before reads it as it always did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<ChannelConsent>,
}

impl Consent {
    /// Whether the member said yes on `channel` (never asked is no).
    pub fn granted(&self, channel: Channel) -> bool {
        let answer = match channel {
            Channel::Email => &self.email,
            Channel::Sms => &self.sms,
            Channel::Panel => &self.panel,
        };
        answer.as_ref().is_some_and(|c| c.granted)
    }
}

/// Everything held about one member: the member screen, and the access-request export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct MemberDetails {
    pub member: Member,
    pub consent: Consent,
    /// Their birthday as `MM-DD` (no year), if they gave it.
    pub birthday: Option<String>,
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
    /// `MM-DD` (or `DD.MM.`, `DD/MM`); empty removes it.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub birthday: Option<String>,
}

/// The member row's consent columns, as read with [`CONSENT_COLUMNS`].
#[derive(sqlx::FromRow)]
pub(crate) struct ConsentColumns {
    email_consent: Option<bool>,
    email_consent_at: Option<DateTime<Utc>>,
    email_consent_source: Option<ConsentSource>,
    sms_consent: Option<bool>,
    sms_consent_at: Option<DateTime<Utc>>,
    sms_consent_source: Option<ConsentSource>,
    panel_consent: Option<bool>,
    panel_consent_at: Option<DateTime<Utc>>,
    panel_consent_source: Option<ConsentSource>,
}

pub(crate) const CONSENT_COLUMNS: &str = "email_consent, email_consent_at, email_consent_source,
     sms_consent, sms_consent_at, sms_consent_source,
     panel_consent, panel_consent_at, panel_consent_source";

impl ConsentColumns {
    pub(crate) fn consent(&self) -> Consent {
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
        Consent {
            email: channel(
                self.email_consent,
                self.email_consent_at,
                self.email_consent_source,
            ),
            sms: channel(
                self.sms_consent,
                self.sms_consent_at,
                self.sms_consent_source,
            ),
            panel: channel(
                self.panel_consent,
                self.panel_consent_at,
                self.panel_consent_source,
            ),
        }
    }
}

/// What the member screen shows beside the member: their answers, birthday, erasure. Read
/// alone (one row, no history) where only these matter: a survey's or a link's checks.
#[derive(sqlx::FromRow)]
pub(crate) struct Private {
    #[sqlx(flatten)]
    pub(crate) consent: ConsentColumns,
    pub(crate) birthday: Option<String>,
    pub(crate) erased_at: Option<DateTime<Utc>>,
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
    pub(crate) async fn private_of(&self, id: MemberId) -> Result<Private> {
        sqlx::query_as(&format!(
            "SELECT {CONSENT_COLUMNS}, birthday, erased_at FROM member WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::MemberNotFound)
    }

    /// A member, their consent, cards and whole history: what the member screen shows.
    pub async fn member_details(&self, id: MemberId) -> Result<MemberDetails> {
        let view = self.member_view(id).await?;
        let id = view.member.id;
        let private = self.private_of(id).await?;
        Ok(MemberDetails {
            history: self.history(id, i64::MAX).await?,
            member: view.member,
            cards: view.cards,
            consent: private.consent.consent(),
            birthday: private.birthday,
            erased_at: private.erased_at,
        })
    }

    pub(crate) async fn require_not_erased(&self, id: MemberId) -> Result<()> {
        match self.private_of(id).await?.erased_at {
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
        let birthday = match &edit.birthday {
            Some(typed) => validate::birthday(typed)?,
            None => self.private_of(id).await?.birthday,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE member SET name = ?, email = ?, phone = ?, phone_digits = ?, phone_tail = ?,
                               language = ?, birthday = ?
             WHERE id = ?",
        )
        .bind(&member.name)
        .bind(&member.email)
        .bind(&member.phone)
        .bind(&digits)
        .bind(digits.as_deref().map(phone::tail))
        .bind(&member.language)
        .bind(&birthday)
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
        Ok(self.private_of(id).await?.consent.consent())
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
                    sms_consent_source = NULL, panel_consent = NULL, panel_consent_at = NULL,
                    panel_consent_source = NULL, birthday = NULL, erased_at = ?
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
        let theirs = "member_id IN (SELECT ?1 UNION ALL
                                        SELECT alias_id FROM member_alias WHERE member_id = ?1)";
        sqlx::query(&format!(
            "UPDATE complaint SET note = '', resolution = NULL WHERE {theirs}"
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "UPDATE complaint SET version = '~' || version
             WHERE {theirs} AND version NOT LIKE '~%'"
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // Their survey answers stay as figures (scores, topic), without their own words.
        sqlx::query(&format!(
            "UPDATE survey SET comment = NULL WHERE comment IS NOT NULL AND {theirs}"
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "UPDATE survey SET version = '~' || version
             WHERE {theirs} AND version NOT LIKE '~%'"
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
