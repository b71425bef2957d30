//! The shared records on the wire (version 1), and how a till reads and merges them.
//!
//! A record is the whole current row, with its version. Every replica (each till, the hub)
//! keeps the version that sorts last, so they agree whatever order changes arrive in
//! (docs/decisions/0014-sync.md gives the rule for each kind). Rows received here keep their
//! version, which is what stops the change-log triggers (migration 0006) from logging them again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::care::complaints::{Category, CompensationRule, FollowUp, Severity};
use crate::care::surveys::{SurveyWay, Topic};
use crate::codes::coupon_token::CouponKind;
use crate::counter::programs::{PointsReward, ProgramKind};
use crate::error::{CoreError, Result};
use crate::input::{phone, validate};
use crate::people::member_data::{Consent, ConsentColumns, CONSENT_COLUMNS};
use crate::store::WriteTx;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireShop {
    pub id: Uuid,
    pub name: String,
    pub language: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub version: String,
    /// Added with the shop's settings (migration 0012).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Added with surveys (migration 0020); left out when not set, as a till of before writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_interval_days: Option<i64>,
    /// Added with the shop's own compensation rules (migration 0021); none: the built-in ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation_rules: Option<Vec<CompensationRule>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireStaff {
    pub id: Uuid,
    pub shop: Uuid,
    pub name: String,
    /// `manager` or `cashier`
    pub role: String,
    /// Argon2id PHC string: a manager's PIN works at every till of the chain.
    pub pin_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireProgram {
    pub id: Uuid,
    pub shop: Uuid,
    pub name: String,
    pub punches_needed: i64,
    pub reward: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub version: String,
    // Added with programs a manager runs (migration 0010); absent from a stamps program
    // written before them, which is what their defaults say.
    /// Stamps or points (not `kind`: that names the record's kind on the wire).
    #[serde(default)]
    pub program_kind: ProgramKind,
    #[serde(default)]
    pub points_per_unit: Option<i64>,
    #[serde(default)]
    pub tiers: Vec<PointsReward>,
    #[serde(default)]
    pub reward_days: Option<i64>,
    #[serde(default)]
    pub min_gap_minutes: Option<i64>,
    #[serde(default)]
    pub retired_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireMember {
    pub id: Uuid,
    pub code: String,
    pub shop: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub created_at: DateTime<Utc>,
    pub version: String,
    // Added with members' data (migration 0011); absent from a member written before.
    #[serde(default)]
    pub consent: Consent,
    #[serde(default)]
    pub erased_at: Option<DateTime<Utc>>,
    // Added with campaigns (migration 0019); left out when not given, as a till of before
    // writes a member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireCard {
    pub code: String,
    pub member: Uuid,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub replaced_by: Option<String>,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireChainKey {
    pub id: String,
    /// The key itself, in lower-case hex. Only tills and the hub ever see it, over HTTPS.
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub version: String,
}

/// A coupon as issued (migration 0017): its terms never change; `withdrawn_at` may be set later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireCoupon {
    pub id: Uuid,
    pub token: String,
    pub shop: Uuid,
    pub only_here: bool,
    pub coupon_kind: CouponKind,
    pub value: i64,
    pub text: String,
    pub member: Option<Uuid>,
    pub expires_on: Option<chrono::NaiveDate>,
    pub issued_at: DateTime<Utc>,
    pub issued_by: Uuid,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub version: String,
}

/// A complaint (migration 0018): its first words never change; what happens to it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireComplaint {
    pub id: Uuid,
    pub shop: Uuid,
    pub member: Option<Uuid>,
    pub category: Category,
    pub severity: Severity,
    pub note: String,
    pub logged_by: Uuid,
    pub logged_at: DateTime<Utc>,
    pub owner: Uuid,
    pub due_at: DateTime<Utc>,
    pub coupon: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<Uuid>,
    pub resolution: Option<String>,
    pub follow_up: Option<FollowUp>,
    pub followed_up_at: Option<DateTime<Utc>>,
    pub followed_up_by: Option<Uuid>,
    pub version: String,
}

/// A survey (migration 0020): who was asked, when and how never change; the answers are set
/// once, later, and the comment blanked if the member is erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct WireSurvey {
    pub id: Uuid,
    pub shop: Uuid,
    pub member: Option<Uuid>,
    pub asked_by: Uuid,
    pub asked_at: DateTime<Utc>,
    pub way: SurveyWay,
    pub answered_at: Option<DateTime<Utc>>,
    pub nps: Option<i64>,
    pub topic: Option<Topic>,
    pub topic_score: Option<i64>,
    pub comment: Option<String>,
    pub version: String,
}

/// A "you said, we did" entry (migration 0020): its words never change; it may be withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct WireWeDid {
    pub id: Uuid,
    pub shop: Uuid,
    pub text: String,
    pub written_by: Uuid,
    pub written_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub version: String,
}

/// One shared record, tagged with its kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireRecord {
    Shop(WireShop),
    Staff(WireStaff),
    Program(WireProgram),
    Member(WireMember),
    Card(WireCard),
    ChainKey(WireChainKey),
    Coupon(WireCoupon),
    Complaint(WireComplaint),
    Survey(WireSurvey),
    WeDid(WireWeDid),
}

impl WireRecord {
    /// The kind's name, as the change log and the hub store it.
    pub fn kind(&self) -> &'static str {
        match self {
            WireRecord::Shop(_) => "shop",
            WireRecord::Staff(_) => "staff",
            WireRecord::Program(_) => "program",
            WireRecord::Member(_) => "member",
            WireRecord::Card(_) => "card",
            WireRecord::ChainKey(_) => "chain_key",
            WireRecord::Coupon(_) => "coupon",
            WireRecord::Complaint(_) => "complaint",
            WireRecord::Survey(_) => "survey",
            WireRecord::WeDid(_) => "we_did",
        }
    }

    /// Which record of its kind this is: an id, or a card's code.
    pub fn key(&self) -> String {
        match self {
            WireRecord::Shop(r) => r.id.to_string(),
            WireRecord::Staff(r) => r.id.to_string(),
            WireRecord::Program(r) => r.id.to_string(),
            WireRecord::Member(r) => r.id.to_string(),
            WireRecord::Card(r) => r.code.clone(),
            WireRecord::ChainKey(r) => r.id.clone(),
            WireRecord::Coupon(r) => r.id.to_string(),
            WireRecord::Complaint(r) => r.id.to_string(),
            WireRecord::Survey(r) => r.id.to_string(),
            WireRecord::WeDid(r) => r.id.to_string(),
        }
    }

    pub fn version(&self) -> &str {
        match self {
            WireRecord::Shop(r) => &r.version,
            WireRecord::Staff(r) => &r.version,
            WireRecord::Program(r) => &r.version,
            WireRecord::Member(r) => &r.version,
            WireRecord::Card(r) => &r.version,
            WireRecord::ChainKey(r) => &r.version,
            WireRecord::Coupon(r) => &r.version,
            WireRecord::Complaint(r) => &r.version,
            WireRecord::Survey(r) => &r.version,
            WireRecord::WeDid(r) => &r.version,
        }
    }

    /// The checks a record from elsewhere must pass before a replica keeps it. A refused one
    /// is answered "rejected" and never stops the records behind it.
    pub fn check(&self) -> std::result::Result<(), &'static str> {
        if self.version().is_empty() {
            return Err("record_without_version");
        }
        match self {
            WireRecord::Shop(r)
                if r.compensation_rules.as_ref().is_some_and(|rules| {
                    crate::care::complaints::checked_rules(rules).is_err()
                }) =>
            {
                Err("invalid_compensation_rules")
            }
            WireRecord::Staff(r) if !matches!(r.role.as_str(), "manager" | "cashier") => {
                Err("unknown_role")
            }
            WireRecord::Program(r) if !(1..=100).contains(&r.punches_needed) => {
                Err("invalid_punches_needed")
            }
            WireRecord::Program(r)
                if r.program_kind == ProgramKind::Points && r.tiers.is_empty() =>
            {
                Err("points_without_rewards")
            }
            WireRecord::Member(r)
                if crate::codes::member_code::MemberCode::parse(&r.code).is_err() =>
            {
                Err("invalid_member_code")
            }
            WireRecord::Card(r)
                if crate::codes::member_code::MemberCode::parse(&r.code).is_err() =>
            {
                Err("invalid_member_code")
            }
            WireRecord::ChainKey(r) if hex_decode(&r.secret).is_none() => Err("invalid_key"),
            WireRecord::Coupon(r)
                if crate::codes::coupon_token::CouponClaim::parse(&r.token).is_err()
                    || r.value < 1
                    || r.text.chars().count() > crate::input::validate::TEXT_MAX =>
            {
                Err("invalid_coupon")
            }
            WireRecord::Complaint(r)
                if r.note.chars().count() > crate::input::validate::TEXT_MAX
                    || r.resolution
                        .as_ref()
                        .is_some_and(|t| t.chars().count() > crate::input::validate::TEXT_MAX) =>
            {
                Err("invalid_complaint")
            }
            WireRecord::Survey(r)
                if r.nps.is_some_and(|n| !(0..=10).contains(&n))
                    || r.topic_score.is_some_and(|n| !(1..=5).contains(&n))
                    || r.comment
                        .as_ref()
                        .is_some_and(|t| t.chars().count() > crate::care::surveys::COMMENT_MAX) =>
            {
                Err("invalid_survey")
            }
            WireRecord::WeDid(r) if r.text.chars().count() > crate::care::surveys::COMMENT_MAX => {
                Err("invalid_we_did")
            }
            _ => Ok(()),
        }
    }
}

pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// One entry of a till's change log on the wire: "device's change number `seq` was this record".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireChange {
    pub device: Uuid,
    pub seq: i64,
    pub record: WireRecord,
}

/// The current row of the record a change-log entry names, as the wire carries it. `None` if
/// the row is not here (it never is deleted, so only a damaged store gets there).
pub(crate) async fn read(tx: &mut WriteTx, kind: &str, key: &[u8]) -> Result<Option<WireRecord>> {
    let uuid = || Uuid::from_slice(key).ok();
    let record = match kind {
        "shop" => {
            type Row = (
                Uuid,
                String,
                String,
                String,
                DateTime<Utc>,
                String,
                Option<String>,
                Option<i64>,
                Option<String>,
            );
            let row: Option<Row> = sqlx::query_as(
                "SELECT id, name, language, currency, created_at, version, time_zone,
                        survey_interval_days, compensation_rules
                 FROM shop WHERE id = ?",
            )
            .bind(uuid())
            .fetch_optional(&mut **tx)
            .await?;
            row.map(
                |(
                    id,
                    name,
                    language,
                    currency,
                    created_at,
                    version,
                    time_zone,
                    interval,
                    rules,
                )| {
                    WireRecord::Shop(WireShop {
                        id,
                        name,
                        language,
                        currency,
                        created_at,
                        version,
                        time_zone,
                        survey_interval_days: interval,
                        // Written by `set_compensation_rules` from checked rules: it reads back.
                        compensation_rules: rules.and_then(|json| serde_json::from_str(&json).ok()),
                    })
                },
            )
        }
        "staff" => {
            type Row = (
                Uuid,
                Uuid,
                String,
                String,
                String,
                bool,
                DateTime<Utc>,
                String,
            );
            let row: Option<Row> = sqlx::query_as(
                "SELECT id, shop_id, name, role, pin_hash, active, created_at, version
                 FROM staff WHERE id = ?",
            )
            .bind(uuid())
            .fetch_optional(&mut **tx)
            .await?;
            row.map(
                |(id, shop, name, role, pin_hash, active, created_at, version)| {
                    WireRecord::Staff(WireStaff {
                        id,
                        shop,
                        name,
                        role,
                        pin_hash,
                        active,
                        created_at,
                        version,
                    })
                },
            )
        }
        "program" => {
            let program = match uuid() {
                Some(id) => crate::counter::programs::stored_program(tx, id.into()).await?,
                None => None,
            };
            program.map(|(shop, version, p)| {
                WireRecord::Program(WireProgram {
                    id: p.id.0,
                    shop: shop.0,
                    name: p.name,
                    punches_needed: p.punches_needed,
                    reward: p.reward,
                    active: p.active,
                    created_at: p.created_at,
                    version,
                    program_kind: p.kind,
                    points_per_unit: p.points_per_unit,
                    tiers: p.tiers,
                    reward_days: p.reward_days,
                    min_gap_minutes: p.min_gap_minutes,
                    retired_at: p.retired_at,
                })
            })
        }
        "member" => {
            #[derive(sqlx::FromRow)]
            struct Row {
                id: Uuid,
                code: String,
                shop_id: Uuid,
                name: String,
                email: Option<String>,
                phone: Option<String>,
                language: String,
                created_at: DateTime<Utc>,
                version: String,
                #[sqlx(flatten)]
                consent: ConsentColumns,
                birthday: Option<String>,
                erased_at: Option<DateTime<Utc>>,
            }
            let row: Option<Row> = sqlx::query_as(&format!(
                "SELECT id, code, shop_id, name, email, phone, language, created_at, version,
                        {CONSENT_COLUMNS}, birthday, erased_at
                 FROM member WHERE id = ?"
            ))
            .bind(uuid())
            .fetch_optional(&mut **tx)
            .await?;
            row.map(|r| {
                WireRecord::Member(WireMember {
                    consent: r.consent.consent(),
                    birthday: r.birthday,
                    id: r.id,
                    code: r.code,
                    shop: r.shop_id,
                    name: r.name,
                    email: r.email,
                    phone: r.phone,
                    language: r.language,
                    created_at: r.created_at,
                    version: r.version,
                    erased_at: r.erased_at,
                })
            })
        }
        "card" => {
            type Row = (
                String,
                Uuid,
                DateTime<Utc>,
                Option<DateTime<Utc>>,
                Option<String>,
                String,
            );
            let row: Option<Row> = sqlx::query_as(
                "SELECT code, member_id, issued_at, revoked_at, replaced_by, version
                 FROM member_card WHERE code = ?",
            )
            .bind(String::from_utf8_lossy(key).into_owned())
            .fetch_optional(&mut **tx)
            .await?;
            row.map(
                |(code, member, issued_at, revoked_at, replaced_by, version)| {
                    WireRecord::Card(WireCard {
                        code,
                        member,
                        issued_at,
                        revoked_at,
                        replaced_by,
                        version,
                    })
                },
            )
        }
        "chain_key" => {
            let row: Option<(String, Vec<u8>, DateTime<Utc>, String)> = sqlx::query_as(
                "SELECT id, secret, created_at, version FROM chain_key WHERE id = ?",
            )
            .bind(String::from_utf8_lossy(key).into_owned())
            .fetch_optional(&mut **tx)
            .await?;
            row.map(|(id, secret, created_at, version)| {
                WireRecord::ChainKey(WireChainKey {
                    id,
                    secret: hex_encode(&secret),
                    created_at,
                    version,
                })
            })
        }
        "coupon" => {
            #[derive(sqlx::FromRow)]
            struct Row {
                id: Uuid,
                token: String,
                shop_id: Uuid,
                only_here: bool,
                kind: CouponKind,
                value: i64,
                text: String,
                member_id: Option<Uuid>,
                expires_on: Option<chrono::NaiveDate>,
                issued_at: DateTime<Utc>,
                issued_by: Uuid,
                withdrawn_at: Option<DateTime<Utc>>,
                version: String,
            }
            let row: Option<Row> = sqlx::query_as(
                "SELECT id, token, shop_id, only_here, kind, value, text, member_id, expires_on,
                        issued_at, issued_by, withdrawn_at, version
                 FROM coupon WHERE id = ?",
            )
            .bind(uuid())
            .fetch_optional(&mut **tx)
            .await?;
            row.map(|r| {
                WireRecord::Coupon(WireCoupon {
                    id: r.id,
                    token: r.token,
                    shop: r.shop_id,
                    only_here: r.only_here,
                    coupon_kind: r.kind,
                    value: r.value,
                    text: r.text,
                    member: r.member_id,
                    expires_on: r.expires_on,
                    issued_at: r.issued_at,
                    issued_by: r.issued_by,
                    withdrawn_at: r.withdrawn_at,
                    version: r.version,
                })
            })
        }
        "complaint" => {
            #[derive(sqlx::FromRow)]
            struct Row {
                id: Uuid,
                shop_id: Uuid,
                member_id: Option<Uuid>,
                category: Category,
                severity: Severity,
                note: String,
                logged_by: Uuid,
                logged_at: DateTime<Utc>,
                owner_id: Uuid,
                due_at: DateTime<Utc>,
                coupon_id: Option<Uuid>,
                resolved_at: Option<DateTime<Utc>>,
                resolved_by: Option<Uuid>,
                resolution: Option<String>,
                follow_up: Option<FollowUp>,
                followed_up_at: Option<DateTime<Utc>>,
                followed_up_by: Option<Uuid>,
                version: String,
            }
            let row: Option<Row> = sqlx::query_as(
                "SELECT id, shop_id, member_id, category, severity, note, logged_by, logged_at,
                        owner_id, due_at, coupon_id, resolved_at, resolved_by, resolution,
                        follow_up, followed_up_at, followed_up_by, version
                 FROM complaint WHERE id = ?",
            )
            .bind(uuid())
            .fetch_optional(&mut **tx)
            .await?;
            row.map(|r| {
                WireRecord::Complaint(WireComplaint {
                    id: r.id,
                    shop: r.shop_id,
                    member: r.member_id,
                    category: r.category,
                    severity: r.severity,
                    note: r.note,
                    logged_by: r.logged_by,
                    logged_at: r.logged_at,
                    owner: r.owner_id,
                    due_at: r.due_at,
                    coupon: r.coupon_id,
                    resolved_at: r.resolved_at,
                    resolved_by: r.resolved_by,
                    resolution: r.resolution,
                    follow_up: r.follow_up,
                    followed_up_at: r.followed_up_at,
                    followed_up_by: r.followed_up_by,
                    version: r.version,
                })
            })
        }
        "survey" => sqlx::query_as(
            "SELECT id, shop_id AS shop, member_id AS member, asked_by, asked_at, way,
                    answered_at, nps, topic, topic_score, comment, version
             FROM survey WHERE id = ?",
        )
        .bind(uuid())
        .fetch_optional(&mut **tx)
        .await?
        .map(WireRecord::Survey),
        "we_did" => sqlx::query_as(
            "SELECT id, shop_id AS shop, text, written_by, written_at, withdrawn_at, version
             FROM we_did WHERE id = ?",
        )
        .bind(uuid())
        .fetch_optional(&mut **tx)
        .await?
        .map(WireRecord::WeDid),
        _ => None,
    };
    Ok(record)
}

/// What merging a received record did here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merged {
    /// The record was new here, or newer than ours: it is what this till now holds.
    Taken,
    /// Ours was the same or newer: nothing changed.
    Kept,
    /// A member whose code another member already has here (codes made before joining):
    /// kept aside in `code_clash` for a manager, never silently dropped or merged.
    CodeClash,
}

/// Keeps `record` if this till does not have it or has an older version of it. Each statement
/// is one upsert whose `WHERE` compares versions, so the rule is the same as the hub's.
pub(crate) async fn merge(tx: &mut WriteTx, record: &WireRecord) -> Result<Merged> {
    let changed = match record {
        WireRecord::Shop(r) => sqlx::query(
            "INSERT INTO shop (id, name, language, currency, created_at, version, time_zone,
                               survey_interval_days, compensation_rules)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, language = excluded.language,
                 currency = excluded.currency, version = excluded.version,
                 time_zone = excluded.time_zone,
                 survey_interval_days = excluded.survey_interval_days,
                 compensation_rules = excluded.compensation_rules
             WHERE excluded.version > shop.version",
        )
        .bind(r.id)
        .bind(&r.name)
        .bind(&r.language)
        .bind(&r.currency)
        .bind(r.created_at)
        .bind(&r.version)
        .bind(&r.time_zone)
        .bind(r.survey_interval_days)
        .bind(
            r.compensation_rules
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| CoreError::internal("sync", e))?,
        )
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        WireRecord::Staff(r) => {
            let query = |name: String| {
                sqlx::query(
                    "INSERT INTO staff (id, shop_id, name, role, pin_hash, active, created_at, version)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
                         pin_hash = excluded.pin_hash, active = excluded.active,
                         version = excluded.version
                     WHERE excluded.version > staff.version",
                )
                .bind(r.id)
                .bind(r.shop)
                .bind(name)
                .bind(&r.role)
                .bind(&r.pin_hash)
                .bind(r.active)
                .bind(r.created_at)
                .bind(&r.version)
            };
            match query(r.name.clone()).execute(&mut **tx).await {
                Ok(done) => done.rows_affected(),
                // Two tills of one shop named two different people alike while apart: the one
                // arriving here is told apart by the start of its id, so both can sign in.
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    let told_apart = format!("{} ({})", r.name, &r.id.simple().to_string()[..4]);
                    query(told_apart).execute(&mut **tx).await?.rows_affected()
                }
                Err(other) => return Err(other.into()),
            }
        }
        // Punches needed, kind and expiry never change once a program exists (0019).
        WireRecord::Program(r) => sqlx::query(
            "INSERT INTO program (id, shop_id, name, punches_needed, reward, active, created_at,
                                  version, kind, points_per_unit, tiers, reward_days,
                                  min_gap_minutes, retired_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, reward = excluded.reward,
                 active = excluded.active, version = excluded.version,
                 points_per_unit = excluded.points_per_unit, tiers = excluded.tiers,
                 min_gap_minutes = excluded.min_gap_minutes, retired_at = excluded.retired_at
             WHERE excluded.version > program.version",
        )
        .bind(r.id)
        .bind(r.shop)
        .bind(&r.name)
        .bind(r.punches_needed)
        .bind(&r.reward)
        .bind(r.active)
        .bind(r.created_at)
        .bind(&r.version)
        .bind(r.program_kind)
        .bind(r.points_per_unit)
        .bind(crate::counter::programs::tiers_json(&r.tiers)?)
        .bind(r.reward_days)
        .bind(r.min_gap_minutes)
        .bind(r.retired_at)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        WireRecord::Member(r) => return merge_member(tx, r).await,
        WireRecord::Card(r) => return merge_card(tx, r).await,
        WireRecord::ChainKey(r) => {
            let secret = hex_decode(&r.secret).ok_or_else(|| {
                CoreError::internal("sync", "a chain key that is not hex passed the checks")
            })?;
            sqlx::query(
                "INSERT INTO chain_key (id, secret, created_at, version) VALUES (?, ?, ?, ?)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&r.id)
            .bind(secret)
            .bind(r.created_at)
            .bind(&r.version)
            .execute(&mut **tx)
            .await?
            .rows_affected()
        }
        // A coupon's terms never change: only its withdrawal is taken from a newer version.
        WireRecord::Coupon(r) => sqlx::query(
            "INSERT INTO coupon (id, token, shop_id, only_here, kind, value, text, member_id,
                                 expires_on, issued_at, issued_by, withdrawn_at, version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET withdrawn_at = excluded.withdrawn_at,
                 version = excluded.version
             WHERE excluded.version > coupon.version",
        )
        .bind(r.id)
        .bind(&r.token)
        .bind(r.shop)
        .bind(r.only_here)
        .bind(r.coupon_kind)
        .bind(r.value)
        .bind(&r.text)
        .bind(r.member)
        .bind(r.expires_on)
        .bind(r.issued_at)
        .bind(r.issued_by)
        .bind(r.withdrawn_at)
        .bind(&r.version)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        // What happens to a complaint is taken from a newer version; its first words change
        // only to nothing, when its member is erased.
        WireRecord::Complaint(r) => sqlx::query(
            "INSERT INTO complaint (id, shop_id, member_id, category, severity, note, logged_by,
                                    logged_at, owner_id, due_at, coupon_id, resolved_at,
                                    resolved_by, resolution, follow_up, followed_up_at,
                                    followed_up_by, version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET note = excluded.note, owner_id = excluded.owner_id,
                 due_at = excluded.due_at, coupon_id = excluded.coupon_id,
                 resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by,
                 resolution = excluded.resolution, follow_up = excluded.follow_up,
                 followed_up_at = excluded.followed_up_at,
                 followed_up_by = excluded.followed_up_by, version = excluded.version
             WHERE excluded.version > complaint.version",
        )
        .bind(r.id)
        .bind(r.shop)
        .bind(r.member)
        .bind(r.category)
        .bind(r.severity)
        .bind(&r.note)
        .bind(r.logged_by)
        .bind(r.logged_at)
        .bind(r.owner)
        .bind(r.due_at)
        .bind(r.coupon)
        .bind(r.resolved_at)
        .bind(r.resolved_by)
        .bind(&r.resolution)
        .bind(r.follow_up)
        .bind(r.followed_up_at)
        .bind(r.followed_up_by)
        .bind(&r.version)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        // Who was asked never changes; the answers (and an erasure's blank) come with a newer
        // version.
        WireRecord::Survey(r) => sqlx::query(
            "INSERT INTO survey (id, shop_id, member_id, asked_by, asked_at, way, answered_at,
                                 nps, topic, topic_score, comment, version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET answered_at = excluded.answered_at,
                 nps = excluded.nps, topic = excluded.topic, topic_score = excluded.topic_score,
                 comment = excluded.comment, version = excluded.version
             WHERE excluded.version > survey.version",
        )
        .bind(r.id)
        .bind(r.shop)
        .bind(r.member)
        .bind(r.asked_by)
        .bind(r.asked_at)
        .bind(r.way)
        .bind(r.answered_at)
        .bind(r.nps)
        .bind(r.topic)
        .bind(r.topic_score)
        .bind(&r.comment)
        .bind(&r.version)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        WireRecord::WeDid(r) => sqlx::query(
            "INSERT INTO we_did (id, shop_id, text, written_by, written_at, withdrawn_at, version)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET withdrawn_at = excluded.withdrawn_at,
                 version = excluded.version
             WHERE excluded.version > we_did.version",
        )
        .bind(r.id)
        .bind(r.shop)
        .bind(&r.text)
        .bind(r.written_by)
        .bind(r.written_at)
        .bind(r.withdrawn_at)
        .bind(&r.version)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
    };
    Ok(if changed > 0 {
        Merged::Taken
    } else {
        Merged::Kept
    })
}

/// Keeps two members under one code apart: the one that arrived second is set aside, whole
/// (its member record, which says who they are, is kept over its card's).
async fn set_aside(
    tx: &mut WriteTx,
    code: &str,
    member: uuid::Uuid,
    record: &WireRecord,
) -> Result<Merged> {
    let json = serde_json::to_string(record).map_err(|e| CoreError::internal("sync", e))?;
    sqlx::query(
        "INSERT INTO code_clash (code, member_id, record, found_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (code, member_id) DO UPDATE SET record = excluded.record
         WHERE json_extract(excluded.record, '$.kind') = 'member'",
    )
    .bind(code)
    .bind(member)
    .bind(json)
    .bind(Utc::now())
    .execute(&mut **tx)
    .await?;
    tracing::warn!("two members share a card code made before joining");
    Ok(Merged::CodeClash)
}

async fn merge_card(tx: &mut WriteTx, r: &WireCard) -> Result<Merged> {
    let holder: Option<Uuid> =
        sqlx::query_scalar("SELECT member_id FROM member_card WHERE code = ?")
            .bind(&r.code)
            .fetch_optional(&mut **tx)
            .await?;
    if holder.is_some_and(|holder| holder != r.member) {
        return set_aside(tx, &r.code, r.member, &WireRecord::Card(r.clone())).await;
    }
    let changed = sqlx::query(
        "INSERT INTO member_card (code, member_id, issued_at, revoked_at, replaced_by, version)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (code) DO UPDATE SET revoked_at = excluded.revoked_at,
             replaced_by = excluded.replaced_by, version = excluded.version
         WHERE excluded.version > member_card.version",
    )
    .bind(&r.code)
    .bind(r.member)
    .bind(r.issued_at)
    .bind(r.revoked_at)
    .bind(&r.replaced_by)
    .bind(&r.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if holder.is_none() && changed > 0 {
        // A card new here: punches taken on it before its member arrived are now theirs.
        crate::counter::foreign::link(tx, &r.code).await?;
    }
    Ok(if changed > 0 {
        Merged::Taken
    } else {
        Merged::Kept
    })
}

async fn merge_member(tx: &mut WriteTx, r: &WireMember) -> Result<Merged> {
    // The same search keys enrolment makes; a phone the till would refuse gets none.
    let digits = validate::phone(r.phone.as_deref())
        .ok()
        .flatten()
        .map(|(_, digits)| digits);
    let result = sqlx::query(
        "INSERT INTO member (id, code, shop_id, name, email, phone, phone_digits, phone_tail,
                             language, created_at, version, email_consent, email_consent_at,
                             email_consent_source, sms_consent, sms_consent_at,
                             sms_consent_source, panel_consent, panel_consent_at,
                             panel_consent_source, birthday, erased_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name,
             email = excluded.email, phone = excluded.phone, phone_digits = excluded.phone_digits,
             phone_tail = excluded.phone_tail, language = excluded.language,
             version = excluded.version, email_consent = excluded.email_consent,
             email_consent_at = excluded.email_consent_at,
             email_consent_source = excluded.email_consent_source,
             sms_consent = excluded.sms_consent, sms_consent_at = excluded.sms_consent_at,
             sms_consent_source = excluded.sms_consent_source,
             panel_consent = excluded.panel_consent,
             panel_consent_at = excluded.panel_consent_at,
             panel_consent_source = excluded.panel_consent_source,
             birthday = excluded.birthday, erased_at = excluded.erased_at
         WHERE excluded.version > member.version",
    )
    .bind(r.id)
    .bind(&r.code)
    .bind(r.shop)
    .bind(&r.name)
    .bind(&r.email)
    .bind(&r.phone)
    .bind(&digits)
    .bind(digits.as_deref().map(phone::tail))
    .bind(&r.language)
    .bind(r.created_at)
    .bind(&r.version)
    .bind(r.consent.email.as_ref().map(|c| c.granted))
    .bind(r.consent.email.as_ref().map(|c| c.at))
    .bind(r.consent.email.as_ref().map(|c| c.source))
    .bind(r.consent.sms.as_ref().map(|c| c.granted))
    .bind(r.consent.sms.as_ref().map(|c| c.at))
    .bind(r.consent.sms.as_ref().map(|c| c.source))
    .bind(r.consent.panel.as_ref().map(|c| c.granted))
    .bind(r.consent.panel.as_ref().map(|c| c.at))
    .bind(r.consent.panel.as_ref().map(|c| c.source))
    .bind(&r.birthday)
    .bind(r.erased_at)
    .execute(&mut **tx)
    .await;
    match result {
        Ok(done) if done.rows_affected() > 0 => Ok(Merged::Taken),
        Ok(_) => Ok(Merged::Kept),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            set_aside(tx, &r.code, r.id, &WireRecord::Member(r.clone())).await
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program() -> WireProgram {
        WireProgram {
            id: Uuid::nil(),
            shop: Uuid::nil(),
            name: "Points".into(),
            punches_needed: 1,
            reward: "A coffee".into(),
            active: true,
            created_at: Utc::now(),
            version: "v1".into(),
            program_kind: ProgramKind::Points,
            points_per_unit: Some(1),
            tiers: vec![PointsReward {
                points: 20,
                reward: "A coffee".into(),
            }],
            reward_days: None,
            min_gap_minutes: Some(10),
            retired_at: None,
        }
    }

    #[test]
    fn a_program_goes_over_the_wire_and_back_whole() {
        let record = WireRecord::Program(program());
        let json = serde_json::to_string(&record).unwrap();
        let back: WireRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
    }

    /// A program written before points and pauses existed (its JSON has none of their fields)
    /// is a stamps program with none of them.
    #[test]
    fn a_program_from_before_programs_grew_reads_as_plain_stamps() {
        let json = r#"{"kind":"program","id":"00000000-0000-0000-0000-000000000000",
            "shop":"00000000-0000-0000-0000-000000000000","name":"Coffee","punches_needed":9,
            "reward":"A coffee","active":true,"created_at":"2026-01-01T00:00:00Z","version":"v1"}"#;
        let WireRecord::Program(program) = serde_json::from_str(json).unwrap() else {
            panic!("not a program");
        };
        assert_eq!(program.program_kind, ProgramKind::Stamps);
        assert!(program.tiers.is_empty());
        assert_eq!(program.retired_at, None);
    }
}
