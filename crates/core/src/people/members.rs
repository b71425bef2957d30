//! Members: who they are (personal data lives here, apart from the ledger, so erasure can
//! blank it) and finding them by name, phone, email or code. Search uses indexes only: FTS5
//! word prefixes for names, prefix ranges for email, phone digits, phone tails and codes.

use crate::ids::{MemberId, ShopId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::codes::member_code::MemberCode;
use crate::error::{CoreError, Result};
use crate::input::{phone, validate};
use crate::store::{Store, WriteTx};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Member {
    pub id: MemberId,
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

/// At most this many likely duplicates are shown.
const DUPLICATES_SHOWN: i64 = 5;
/// A phone number matches another when this many of its last digits (or all) are the same.
pub(crate) const PHONE_MATCH_DIGITS: usize = 8;

const MEMBER_COLUMNS: &str = "m.id, m.code, m.name, m.email, m.phone, m.language, m.created_at";
const SEARCH_LIMIT: i64 = 20;
/// How many of the newest name matches a search ranks (see `find_members`).
const RANKED_CANDIDATES: i64 = 200;

/// A member row, checked, as enrolment writes it.
pub(crate) struct NewMemberRow<'a> {
    pub id: MemberId,
    pub code: &'a MemberCode,
    pub shop_id: ShopId,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub phone_digits: Option<&'a str>,
    pub language: &'a str,
    pub created_at: DateTime<Utc>,
}

pub(crate) async fn insert_member(tx: &mut WriteTx, row: &NewMemberRow<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO member (id, code, shop_id, name, email, phone, phone_digits, phone_tail,
                             language, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(row.id)
    .bind(row.code.as_str())
    .bind(row.shop_id)
    .bind(row.name)
    .bind(row.email)
    .bind(row.phone)
    .bind(row.phone_digits)
    .bind(row.phone_digits.map(phone::tail))
    .bind(row.language)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Members with the same email, the same phone number (its last digits), or the same name
    /// (ignoring case): each an index lookup.
    pub(crate) async fn likely_duplicates(
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

    pub async fn member(&self, id: MemberId) -> Result<Member> {
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
            // Ranked among the newest matches only: ranking every match of a first letter
            // (230,000 of a million members for "m") took a second; the newest few hundred are
            // read from the index in order and ranked in milliseconds. A query that matches
            // fewer is ranked whole, as before.
            add(sqlx::query_as(&format!(
                "SELECT {MEMBER_COLUMNS}
                 FROM (SELECT rowid, rank FROM member_name_search
                       WHERE member_name_search MATCH ? ORDER BY rowid DESC LIMIT ?) s
                 JOIN member m ON m.rowid = s.rowid
                 ORDER BY s.rank LIMIT ?"
            ))
            .bind(fts)
            .bind(RANKED_CANDIDATES)
            .bind(SEARCH_LIMIT)
            .fetch_all(self.pool())
            .await?);
        }
        if crate::input::phone::looks_like_phone(query) {
            let digits: String = query.chars().filter(char::is_ascii_digit).collect();
            add(self.prefix_search("phone_digits", &digits).await?);
            for tail in crate::input::phone::tail_prefixes(query) {
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

/// `claire du` → `"claire"* AND "du"*`. Each word quoted, so FTS5 syntax in the input is inert.
fn fts_prefix_query(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}
