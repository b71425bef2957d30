//! Campaigns: a manager writes to a segment of members on one channel, each with a coupon of
//! their own if the manager gives one (docs/decisions/0031-panel-and-campaigns.md). Either the
//! consented contacts go out as a CSV for the shop's own mail tool, or this till sends the
//! emails itself (`care::mail`).
//!
//! Only members who said yes on the channel, and have an address on it, are ever written to;
//! an erased member is in no segment. Every message carries a link that takes the member off
//! the channel, which any till of the chain honours (`unsubscribe`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;
use uuid::Uuid;

use super::segments::Segment;
use crate::audit::{self, AuditKind};
use crate::codes::coupon_token::CouponKind;
use crate::codes::member_code::MemberCode;
use crate::codes::token::TokenError;
use crate::codes::unsubscribe_token::{self, Unsubscribe};
use crate::counter::coupons::NewCoupon;
use crate::error::{CoreError, Result};
use crate::i18n::Messages;
use crate::ids::{CouponId, MemberId};
use crate::input::validate;
use crate::people::auth::Permission;
use crate::people::member_data::{self, Channel, ChannelConsent, ConsentColumns, ConsentSource};
use crate::people::shop::Actor;
use crate::reports::csv::{self, CsvStyle, Table};
use crate::store::Store;

/// How a campaign reaches its members.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum CampaignChannel {
    Email,
    Sms,
}

impl CampaignChannel {
    /// The consent a member must have given.
    pub fn consent(self) -> Channel {
        match self {
            CampaignChannel::Email => Channel::Email,
            CampaignChannel::Sms => Channel::Sms,
        }
    }
}

/// The coupon each member of a campaign gets, one of their own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CampaignCoupon {
    pub kind: CouponKind,
    pub value: i64,
    pub text: String,
    /// Its last day; none: it never expires.
    pub expires_on: Option<NaiveDate>,
}

/// What a manager asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CampaignPlan {
    pub segment: Segment,
    pub channel: CampaignChannel,
    /// The manager's own words, as written (they are not translated).
    pub message: Option<String>,
    pub coupon: Option<CampaignCoupon>,
    /// Where this shop's pages are reached (`https://shop.example:8470`): each message's
    /// unsubscribe link starts with it. None: the CSV carries the token only.
    pub link_base: Option<String>,
    /// Add what the shop changed after feedback ("you said, we did", the newest entries) to
    /// the message.
    #[serde(default)]
    pub with_we_did: bool,
}

/// One member written to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Recipient {
    pub member_id: MemberId,
    pub code: String,
    pub name: String,
    /// Their email or phone, as the channel needs.
    pub contact: String,
    pub language: String,
    pub coupon_id: Option<CouponId>,
    /// What takes them off the channel: the token, and the link when a base was given.
    pub unsubscribe_token: String,
    pub unsubscribe_link: Option<String>,
}

/// A campaign as recorded: who is written to, and who was left out and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Campaign {
    pub id: Uuid,
    pub segment: Segment,
    pub channel: CampaignChannel,
    pub created_at: DateTime<Utc>,
    /// The manager's words, checked.
    pub message: Option<String>,
    /// Members in the segment.
    pub in_segment: usize,
    /// Left out: no yes on the channel (never asked, or said no).
    pub without_consent: usize,
    /// Left out: a yes, but no address on the channel.
    pub without_contact: usize,
    pub recipients: Vec<Recipient>,
}

/// Before a campaign: how many of the segment it would write to, and why not the others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct CampaignPreview {
    pub in_segment: usize,
    pub reachable: usize,
    pub without_consent: usize,
    pub without_contact: usize,
}

/// The longest message a manager writes (an email's body, an SMS is cut by the phone network).
const MESSAGE_MAX: usize = 2_000;

#[derive(sqlx::FromRow)]
struct Contactable {
    id: MemberId,
    code: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    language: String,
    #[sqlx(flatten)]
    consent: ConsentColumns,
}

/// What an unsubscribe link names, for the page that answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsubscribeLink {
    pub member_id: MemberId,
    pub channel: Channel,
    /// The member's language (the page speaks it).
    pub language: String,
    pub shop: String,
    /// Off the channel already (said no, or erased): nothing to do.
    pub already_off: bool,
}

/// Where a campaign's messages go: a file for another tool, or this till's own emails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum How {
    Export,
    Email,
}

impl How {
    /// As the `campaign` table and the audit trail write it.
    fn as_str(self) -> &'static str {
        match self {
            How::Export => "export",
            How::Email => "email",
        }
    }
}

impl Store {
    /// The segment's members who may be written to on the plan's channel, each with their
    /// coupon and unsubscribe token, recorded as a campaign (with the coupons, in one
    /// transaction). Managers only; audited.
    pub(crate) async fn start_campaign(
        &self,
        actor: &Actor,
        plan: &CampaignPlan,
        how: How,
    ) -> Result<Campaign> {
        actor.require(Permission::RunCampaigns)?;
        let mut message = match plan.message.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(validate::paragraph("message", text, MESSAGE_MAX)?),
        };
        if plan.with_we_did {
            message = self.with_we_did(message).await?;
        }
        let link_base = plan.link_base.as_deref().map(link_base).transpose()?;
        let now = Utc::now();
        let (audience, preview) = self.audience(actor, plan.segment, plan.channel).await?;
        let channel = plan.channel.consent();
        let key = self.signing_key().await?;
        let mut campaign = Campaign {
            id: Uuid::now_v7(),
            segment: plan.segment,
            channel: plan.channel,
            created_at: now,
            message,
            in_segment: preview.in_segment,
            without_consent: preview.without_consent,
            without_contact: preview.without_contact,
            recipients: Vec::new(),
        };
        let mut coupons = Vec::new();
        for (member, contact) in audience {
            let coupon = match &plan.coupon {
                Some(offer) => {
                    let new = NewCoupon {
                        kind: offer.kind,
                        value: offer.value,
                        text: offer.text.clone(),
                        member_id: Some(member.id),
                        expires_on: offer.expires_on,
                        only_here: false,
                    };
                    let prepared = self.prepare_coupon(actor, &new).await?;
                    let id = prepared.terms.id;
                    coupons.push(prepared);
                    Some(id)
                }
                None => None,
            };
            let token = key.issue_unsubscribe(Unsubscribe {
                member_id: member.id,
                channel,
            });
            campaign.recipients.push(Recipient {
                member_id: member.id,
                code: member.code,
                name: member.name,
                contact,
                language: member.language,
                coupon_id: coupon,
                unsubscribe_link: link_base.as_ref().map(|base| format!("{base}/u/{token}")),
                unsubscribe_token: token,
            });
        }
        let sent_at = (how == How::Export).then_some(now);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO campaign (id, segment, channel, how, message, link_base, staff_id,
                                   created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(campaign.id)
        .bind(plan.segment.as_str())
        .bind(<&str>::from(plan.channel))
        .bind(how.as_str())
        .bind(&campaign.message)
        .bind(&link_base)
        .bind(actor.staff_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for coupon in &coupons {
            coupon.insert(&mut tx).await?;
        }
        for r in &campaign.recipients {
            sqlx::query(
                "INSERT INTO campaign_member (campaign_id, member_id, coupon_id, sent_at)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(campaign.id)
            .bind(r.member_id)
            .bind(r.coupon_id)
            .bind(sent_at)
            .execute(&mut *tx)
            .await?;
        }
        let detail = format!(
            "{} {} {}: {} of {}",
            how.as_str(),
            plan.segment.as_str(),
            <&str>::from(plan.channel),
            campaign.recipients.len(),
            campaign.in_segment
        );
        let subject = campaign.id.to_string();
        audit::record(
            &mut tx,
            Some(actor.staff_id),
            AuditKind::CampaignRun,
            Some(&subject),
            Some(&detail),
        )
        .await?;
        self.commit(tx).await?;
        Ok(campaign)
    }

    /// The message followed by the shop's newest "you said, we did" entries, under their
    /// heading in the shop's language (the entries are the manager's words, like the message).
    async fn with_we_did(&self, message: Option<String>) -> Result<Option<String>> {
        let entries = self.we_did_list(super::surveys::WE_DID_SHOWN).await?;
        if entries.is_empty() {
            return Ok(message);
        }
        let language = self.require_shop().await?.language;
        let heading = Messages::new(&language).format("page-survey-we-did", &Default::default());
        let mut part = heading;
        for entry in entries {
            part.push_str(&format!("\n– {}", entry.text));
        }
        Ok(Some(match message {
            Some(message) => format!("{message}\n\n{part}"),
            None => part,
        }))
    }

    /// Managers only: how many of a segment a campaign on `channel` would write to, and why the
    /// others not; nothing is written.
    pub async fn preview_campaign(
        &self,
        actor: &Actor,
        segment: Segment,
        channel: CampaignChannel,
    ) -> Result<CampaignPreview> {
        actor.require(Permission::RunCampaigns)?;
        Ok(self.audience(actor, segment, channel).await?.1)
    }

    /// The segment's members who may be written to on `channel`, each with their address, and
    /// the counts of the others.
    async fn audience(
        &self,
        actor: &Actor,
        segment: Segment,
        channel: CampaignChannel,
    ) -> Result<(Vec<(Contactable, String)>, CampaignPreview)> {
        let today = self.require_shop().await?.today(Utc::now());
        let members = self.segment_members(actor, segment, today).await?;
        let mut preview = CampaignPreview {
            in_segment: members.len(),
            reachable: 0,
            without_consent: 0,
            without_contact: 0,
        };
        let mut audience = Vec::new();
        for id in members {
            let member: Contactable = sqlx::query_as(&format!(
                "SELECT id, code, name, email, phone, language, {}
                 FROM member WHERE id = ?",
                member_data::CONSENT_COLUMNS
            ))
            .bind(id)
            .fetch_one(self.pool())
            .await?;
            if !member.consent.consent().granted(channel.consent()) {
                preview.without_consent += 1;
                continue;
            }
            let contact = match channel {
                CampaignChannel::Email => member.email.clone(),
                CampaignChannel::Sms => member.phone.clone(),
            };
            match contact {
                Some(contact) => audience.push((member, contact)),
                None => preview.without_contact += 1,
            }
        }
        preview.reachable = audience.len();
        Ok((audience, preview))
    }

    /// Managers only: a campaign's consented contacts as CSV for the shop's own mail tool, in
    /// the shop's spreadsheet style, with each member's coupon and unsubscribe link.
    pub async fn export_campaign(
        &self,
        actor: &Actor,
        plan: &CampaignPlan,
    ) -> Result<(Campaign, Vec<u8>)> {
        let campaign = self.start_campaign(actor, plan, How::Export).await?;
        let shop = self.require_shop().await?;
        let mut coupons = Vec::with_capacity(campaign.recipients.len());
        for r in &campaign.recipients {
            coupons.push(match r.coupon_id {
                Some(id) => Some(self.coupon(id).await?),
                None => None,
            });
        }
        // No await from here: a Fluent bundle is not `Send` (the app runs this on any thread),
        // and each language's bundle is read once, not once a member.
        let mut bundles: std::collections::HashMap<&str, Messages> = Default::default();
        let mut rows = Vec::with_capacity(campaign.recipients.len());
        for (r, coupon) in campaign.recipients.iter().zip(coupons) {
            let messages = bundles
                .entry(r.language.as_str())
                .or_insert_with(|| Messages::new(&r.language));
            rows.push(vec![
                MemberCode::parse(&r.code).map_or_else(|_| r.code.clone(), |c| c.display()),
                r.name.clone(),
                r.contact.clone(),
                r.language.clone(),
                coupon.as_ref().map_or(String::new(), |c| c.offer(messages)),
                coupon
                    .as_ref()
                    .and_then(|c| c.text.clone())
                    .unwrap_or_default(),
                coupon
                    .as_ref()
                    .and_then(|c| c.expires_on)
                    .map_or(String::new(), |day| day.to_string()),
                coupon.map_or(String::new(), |c| c.token),
                r.unsubscribe_link
                    .clone()
                    .unwrap_or_else(|| r.unsubscribe_token.clone()),
            ]);
        }
        let table = Table {
            header: vec![
                "code",
                "name",
                <&str>::from(campaign.channel),
                "language",
                "coupon_offer",
                "coupon_text",
                "coupon_expires",
                "coupon_token",
                "unsubscribe",
            ],
            rows,
        };
        let bytes = csv::write(vec![table], CsvStyle::for_language(&shop.language))?;
        Ok((campaign, bytes))
    }

    /// What an unsubscribe link asks, read without writing anything (the page that asks "Stop
    /// the emails?": a mail app that opens links to check them must not unsubscribe anyone).
    pub async fn unsubscribe_link(&self, token: &str) -> Result<UnsubscribeLink> {
        let keys = self.chain_keys().await?;
        let asked = unsubscribe_token::verify(token, &keys).map_err(|e| match e {
            TokenError::Truncated | TokenError::UnknownKey | TokenError::Forged => {
                CoreError::UnsubscribeLinkInvalid
            }
        })?;
        let member_id = crate::counter::merge::canonical(self.pool(), asked.member_id).await?;
        let private = self.private_of(member_id).await?;
        let shop = self.require_shop().await?;
        // An erased member's language went with their data: the shop's speaks to them.
        let erased = private.erased_at.is_some();
        Ok(UnsubscribeLink {
            member_id,
            channel: asked.channel,
            language: if erased {
                shop.language
            } else {
                self.member(member_id).await?.language
            },
            shop: shop.name,
            already_off: erased || !private.consent.consent().granted(asked.channel),
        })
    }

    /// Takes the member a link names off its channel: no, now, from the link. Anyone may follow
    /// it (no sign-in: the MAC is the proof); following it twice changes nothing more, and an
    /// erased member's link does nothing.
    pub async fn unsubscribe(&self, token: &str) -> Result<UnsubscribeLink> {
        let link = self.unsubscribe_link(token).await?;
        if !link.already_off {
            let id = link.member_id;
            let mut tx = self.begin_write().await?;
            member_data::write_consent(
                &mut tx,
                id,
                link.channel,
                &ChannelConsent {
                    granted: false,
                    at: Utc::now(),
                    source: ConsentSource::Link,
                },
            )
            .await?;
            self.commit(tx).await?;
        }
        Ok(UnsubscribeLink {
            already_off: true,
            ..link
        })
    }
}

/// A link base as typed: `http(s)://host[:port][/path]`, without its trailing slash.
pub(crate) fn link_base(typed: &str) -> Result<String> {
    let base = typed.trim().trim_end_matches('/');
    let valid = (base.starts_with("http://") || base.starts_with("https://"))
        && base.len() > "https://".len()
        && !base.contains(char::is_whitespace);
    valid
        .then(|| base.to_string())
        .ok_or(CoreError::InvalidLinkBase)
}
