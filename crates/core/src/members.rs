//! Members: enrolment (a member row plus an `enroll` event, one transaction) and search by name,
//! phone, email or code. Search uses indexes only: FTS5 word prefixes for names, prefix ranges
//! for email, phone digits and codes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
#[cfg(feature = "ts")]
use ts_rs::TS;
use uuid::Uuid;

use crate::auth::Permission;
use crate::cashier::{ActionResult, MemberView};
use crate::error::{CoreError, Result};
use crate::ledger::{self, EventKind, NewEvent};
use crate::member_code::MemberCode;
use crate::shop::Actor;
use crate::store::{Store, WriteTx};
use crate::validate;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Member {
    pub id: Uuid,
    /// Canonical form, no separators (`7K3MQ9PXR`); shown grouped as `7K3M-Q9PX-R`.
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct NewMember {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The member's language; the shop's when left out.
    pub language: Option<String>,
}

/// How the counter enrols: refusing a likely duplicate unless told it is a different person,
/// and optionally giving the first stamp in the same transaction.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct EnrollOptions {
    /// The cashier saw the likely duplicates and says this is someone else.
    pub allow_likely_duplicate: bool,
    /// Stamp this program's card at once ("enrol and stamp"): one action, one transaction.
    pub first_stamp: Option<Uuid>,
}

/// What enrolment did. A likely duplicate is an expected outcome the screen offers to open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum EnrollOutcome {
    Enrolled {
        member: Member,
        first_stamp: Option<Box<ActionResult>>,
    },
    /// Nothing was written: these members have the same email, phone number or name.
    LikelyDuplicates { members: Vec<MemberView> },
}

/// At most this many likely duplicates are shown.
const DUPLICATES_SHOWN: i64 = 5;
/// A phone number matches another when this many of its last digits (or all) are the same.
const PHONE_MATCH_DIGITS: usize = 8;

const MEMBER_COLUMNS: &str = "m.id, m.code, m.name, m.email, m.phone, m.language, m.created_at";
const SEARCH_LIMIT: i64 = 20;
/// Tries before giving up on drawing a code no card has had (40 random bits: a clash is rare).
const CODE_ATTEMPTS: usize = 8;

impl Store {
    /// Enrols with no duplicate check and no stamp: scripts, imports and the demo.
    pub async fn enroll(&self, actor: &Actor, new: &NewMember) -> Result<Member> {
        let options = EnrollOptions {
            allow_likely_duplicate: true,
            first_stamp: None,
        };
        match self.enroll_with(actor, new, &options).await? {
            EnrollOutcome::Enrolled { member, .. } => Ok(member),
            EnrollOutcome::LikelyDuplicates { .. } => unreachable!("duplicates were allowed"),
        }
    }

    /// Enrolment at the counter: a member row, their first card and an `enroll` event (and the
    /// first stamp, if asked), in one transaction; or, when the same email, phone number or
    /// name is already a member and the cashier has not said otherwise, nothing written and
    /// the likely duplicates returned.
    pub async fn enroll_with(
        &self,
        actor: &Actor,
        new: &NewMember,
        options: &EnrollOptions,
    ) -> Result<EnrollOutcome> {
        actor.require(Permission::Enroll)?;
        let name = validate::name(&new.name)?;
        let email = validate::email(new.email.as_deref())?;
        let phone = validate::phone(new.phone.as_deref())?;
        let shop = self.require_shop().await?;
        let language = match new.language.as_deref().filter(|l| !l.trim().is_empty()) {
            Some(l) => validate::language(l)?,
            None => shop.language.clone(),
        };
        let (phone, phone_digits) = phone.unzip();
        let phone_tail = phone_digits.as_deref().map(crate::phone::tail);
        if !options.allow_likely_duplicate {
            let members = self
                .likely_duplicates(&name, email.as_deref(), phone_tail.as_deref())
                .await?;
            if !members.is_empty() {
                let mut views = Vec::with_capacity(members.len());
                for member in members {
                    views.push(self.view_of(member).await?);
                }
                return Ok(EnrollOutcome::LikelyDuplicates { members: views });
            }
        }
        let first_stamp_program = match options.first_stamp {
            Some(id) => Some(self.resolve_program(Some(id)).await?),
            None => None,
        };

        let mut tx = self.begin_write().await?;
        let now = Utc::now();
        let id = Uuid::now_v7();
        let code = fresh_code(&mut tx).await?;
        sqlx::query(
            "INSERT INTO member (id, code, shop_id, name, email, phone, phone_digits, phone_tail,
                                 language, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(code.as_str())
        .bind(shop.id)
        .bind(&name)
        .bind(&email)
        .bind(&phone)
        .bind(&phone_digits)
        .bind(&phone_tail)
        .bind(&language)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        register_card(&mut tx, id, &code).await?;
        ledger::append(
            &mut tx,
            actor.staff_id,
            NewEvent {
                kind: EventKind::Enroll,
                member_id: id,
                program_id: None,
                amount: 0,
                voids: None,
                reason: None,
            },
        )
        .await?;
        let first_stamp = match &first_stamp_program {
            Some(program) => {
                let stamp = crate::cashier::punch_in(&mut tx, actor, program, id, 1).await?;
                Some(Box::new(stamp))
            }
            None => None,
        };
        self.commit(tx).await?;
        let member = Member {
            id,
            code: code.as_str().to_string(),
            name,
            email,
            phone,
            language,
            created_at: now,
        };
        Ok(EnrollOutcome::Enrolled {
            member,
            first_stamp,
        })
    }

    /// Members with the same email, the same phone number (its last digits), or the same name
    /// (ignoring case): each an index lookup.
    async fn likely_duplicates(
        &self,
        name: &str,
        email: Option<&str>,
        phone_tail: Option<&str>,
    ) -> Result<Vec<Member>> {
        let phone_key = phone_tail.map(|t| t.chars().take(PHONE_MATCH_DIGITS).collect::<String>());
        let (phone_low, phone_high) = match &phone_key {
            Some(key) => (Some(key.clone()), Some(format!("{key}\u{10FFFF}"))),
            None => (None, None),
        };
        Ok(sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM member m WHERE m.name = ? COLLATE NOCASE
             UNION SELECT {MEMBER_COLUMNS} FROM member m WHERE m.email = ?
             UNION SELECT {MEMBER_COLUMNS} FROM member m
                   WHERE m.phone_tail >= ? AND m.phone_tail < ?
             LIMIT ?"
        ))
        .bind(name)
        .bind(email)
        .bind(phone_low)
        .bind(phone_high)
        .bind(DUPLICATES_SHOWN)
        .fetch_all(self.pool())
        .await?)
    }

    /// [`Store::find_members`], each with their cards: the search results show the stamps.
    pub async fn find_member_views(&self, query: &str) -> Result<Vec<MemberView>> {
        let mut views = Vec::new();
        for member in self.find_members(query).await? {
            views.push(self.view_of(member).await?);
        }
        Ok(views)
    }

    pub async fn member(&self, id: Uuid) -> Result<Member> {
        sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM member m WHERE m.id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(CoreError::MemberNotFound)
    }

    pub async fn member_by_code(&self, code: &MemberCode) -> Result<Option<Member>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM member m WHERE m.code = ?"
        ))
        .bind(code.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Members whose name words start with the query's words, whose email or phone starts with
    /// it, or whose code starts with it. At most 20, best name matches first.
    pub async fn find_members(&self, query: &str) -> Result<Vec<Member>> {
        // Compared with names stored in NFC.
        let query = validate::normalised(query);
        let query = query.as_str();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let mut found: Vec<Member> = Vec::new();
        let mut add = |members: Vec<Member>| {
            for m in members {
                if !found.iter().any(|f| f.id == m.id) {
                    found.push(m);
                }
            }
        };

        if let Some(fts) = fts_prefix_query(query) {
            add(sqlx::query_as(&format!(
                "SELECT {MEMBER_COLUMNS} FROM member_name_search s
                 JOIN member m ON m.rowid = s.rowid
                 WHERE member_name_search MATCH ? ORDER BY rank LIMIT ?"
            ))
            .bind(fts)
            .bind(SEARCH_LIMIT)
            .fetch_all(self.pool())
            .await?);
        }
        if crate::phone::looks_like_phone(query) {
            let digits: String = query.chars().filter(char::is_ascii_digit).collect();
            add(self.prefix_search("phone_digits", &digits).await?);
            for tail in crate::phone::tail_prefixes(query) {
                add(self.prefix_search("phone_tail", &tail).await?);
            }
        }
        if !query.contains(' ') {
            add(self.prefix_search("email", &query.to_lowercase()).await?);
            let code_prefix: String = query
                .chars()
                .filter(|c| *c != '-')
                .map(|c| c.to_ascii_uppercase())
                .collect();
            if code_prefix.len() >= 4 && code_prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
                add(self.prefix_search("code", &code_prefix).await?);
            }
        }
        found.truncate(SEARCH_LIMIT as usize);
        Ok(found)
    }

    /// `column >= prefix AND column < prefix + U+10FFFF`: an index range, not a LIKE scan.
    async fn prefix_search(&self, column: &'static str, prefix: &str) -> Result<Vec<Member>> {
        let upper = format!("{prefix}\u{10FFFF}");
        Ok(sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM member m
             WHERE m.{column} >= ? AND m.{column} < ? ORDER BY m.{column} LIMIT ?"
        ))
        .bind(prefix)
        .bind(upper)
        .bind(SEARCH_LIMIT)
        .fetch_all(self.pool())
        .await?)
    }
}

/// Members enrolled before phone tails existed get theirs (once; a no-op afterwards).
pub(crate) async fn fill_phone_tails(pool: &sqlx::SqlitePool) -> Result<()> {
    let missing: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, phone_digits FROM member WHERE phone_digits IS NOT NULL AND phone_tail IS NULL",
    )
    .fetch_all(pool)
    .await?;
    if missing.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for (id, digits) in missing {
        sqlx::query("UPDATE member SET phone_tail = ? WHERE id = ?")
            .bind(crate::phone::tail(&digits))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A code no card has ever had (revoked ones included), drawn inside the write transaction.
async fn fresh_code(tx: &mut WriteTx) -> Result<MemberCode> {
    for _ in 0..CODE_ATTEMPTS {
        let candidate = MemberCode::generate(&mut rand::thread_rng());
        let taken: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM member_card WHERE code = ?)")
                .bind(candidate.as_str())
                .fetch_one(&mut **tx)
                .await?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(CoreError::internal("card code", "no free card code"))
}

async fn register_card(tx: &mut WriteTx, member_id: Uuid, code: &MemberCode) -> Result<()> {
    sqlx::query("INSERT INTO member_card (code, member_id, issued_at) VALUES (?, ?, ?)")
        .bind(code.as_str())
        .bind(member_id)
        .bind(Utc::now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new card for an existing member (reissue): registered, and its code returned.
pub(crate) async fn insert_card(tx: &mut WriteTx, member_id: Uuid) -> Result<MemberCode> {
    let code = fresh_code(tx).await?;
    register_card(tx, member_id, &code).await?;
    Ok(code)
}

/// `claire du` → `"claire"* AND "du"*`. Each word quoted, so FTS5 syntax in the input is inert.
fn fts_prefix_query(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}
