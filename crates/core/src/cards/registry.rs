//! Printed loyalty cards: each member's current card code and its QR token, the chain keys
//! that sign tokens, and revocation with reissue. A replaced card stays known, so scanning it
//! says when it was replaced instead of "unknown card".

use chrono::{DateTime, Utc};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::codes::member_code::MemberCode;
use crate::codes::token::{ChainKey, TokenError};
use crate::error::{CoreError, Result};
use crate::ids::MemberId;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::scan::{self, Decoded};
use crate::store::{Store, WriteTx};

/// A card as printed: whose it is, the code under the QR, and the token in the QR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct IssuedCard {
    pub member_id: MemberId,
    pub member_name: String,
    pub language: String,
    /// Canonical card code (`7K3MQ9PXR`), printed grouped under the QR.
    pub code: String,
    /// What the QR code holds (`TS1…`).
    pub token: String,
    pub issued_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct RevokedCard {
    pub code: String,
    pub revoked_at: DateTime<Utc>,
}

/// What the registry knows of a card code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CardRecord {
    pub member_id: MemberId,
    pub revoked_at: Option<DateTime<Utc>>,
    pub replaced_by: Option<String>,
}

impl From<TokenError> for CoreError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Truncated => CoreError::TruncatedCard,
            TokenError::UnknownKey => CoreError::UnknownCardKey,
            TokenError::Forged => CoreError::ForgedCard,
        }
    }
}

pub(crate) async fn insert_chain_key(tx: &mut WriteTx, key: &ChainKey) -> Result<()> {
    sqlx::query("INSERT INTO chain_key (id, secret, created_at) VALUES (?, ?, ?)")
        .bind(&key.id)
        .bind(key.secret())
        .bind(Utc::now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One way a scan was read as a token, before its MAC is checked.
pub(crate) type TokenReading = std::result::Result<crate::codes::token::TokenClaim, TokenError>;

/// The card code of the first reading whose MAC verifies under `keys`; otherwise why the most
/// trustworthy reading failed.
pub(crate) fn verify_readings(
    readings: &[TokenReading],
    keys: &[ChainKey],
) -> std::result::Result<MemberCode, TokenError> {
    let mut first_error = None;
    for reading in readings {
        match reading.clone().and_then(|claim| claim.verify(keys)) {
            Ok(code) => return Ok(code),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or(TokenError::Forged))
}

impl Store {
    /// Every chain key this till knows, newest first.
    pub async fn chain_keys(&self) -> Result<Vec<ChainKey>> {
        let rows: Vec<(String, Vec<u8>)> =
            sqlx::query_as("SELECT id, secret FROM chain_key ORDER BY created_at DESC, id")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, secret)| ChainKey::from_parts(id, secret))
            .collect())
    }

    /// The key new cards are signed with; a store made before cards existed gets one now.
    pub(crate) async fn signing_key(&self) -> Result<ChainKey> {
        if let Some(key) = self.chain_keys().await?.into_iter().next() {
            return Ok(key);
        }
        let key = ChainKey::generate(&mut rand::thread_rng());
        let mut tx = self.begin_write().await?;
        insert_chain_key(&mut tx, &key).await?;
        self.commit(tx).await?;
        Ok(key)
    }

    pub(crate) async fn card_record(&self, code: &MemberCode) -> Result<Option<CardRecord>> {
        let row: Option<(MemberId, Option<DateTime<Utc>>, Option<String>)> = sqlx::query_as(
            "SELECT member_id, revoked_at, replaced_by FROM member_card WHERE code = ?",
        )
        .bind(code.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(member_id, revoked_at, replaced_by)| CardRecord {
            member_id,
            revoked_at,
            replaced_by,
        }))
    }

    /// The card code meant by a scanned token or a typed code, MAC checked.
    pub async fn card_code(&self, input: &str) -> Result<MemberCode> {
        match scan::decode(input, &[]) {
            Decoded::Code(code) => Ok(code),
            Decoded::Token(readings) => self.verify_token(&readings).await,
            Decoded::Coupon(_) => Err(CoreError::CouponNotCard),
            Decoded::Mistyped => Err(CoreError::MistypedCode),
            Decoded::NotACode => Err(CoreError::NotACode),
        }
    }

    /// The first reading whose MAC verifies; otherwise why the most trustworthy reading failed.
    pub(crate) async fn verify_token(&self, readings: &[TokenReading]) -> Result<MemberCode> {
        let stamp = self.stamps().await?.chain_keys;
        let keys = self.remembered(stamp, || self.chain_keys()).await?;
        Ok(verify_readings(readings, &keys)?)
    }

    /// The member's current card, with its token.
    /// Managers only: the member's current card with its token (a copy of the card: whoever
    /// has the token can print it).
    pub async fn current_card(&self, actor: &Actor, member_id: MemberId) -> Result<IssuedCard> {
        actor.require(Permission::ReadCardTokens)?;
        self.card_of(member_id).await
    }

    async fn card_of(&self, member_id: MemberId) -> Result<IssuedCard> {
        let key = self.signing_key().await?;
        self.card_signed_with(member_id, &key).await
    }

    /// The member's current card with its token under `key` (a print job reads the key once).
    pub(crate) async fn card_signed_with(
        &self,
        member_id: MemberId,
        key: &ChainKey,
    ) -> Result<IssuedCard> {
        let member = self.member(member_id).await?;
        let code = MemberCode::parse(&member.code).map_err(|_| CoreError::MemberNotFound)?;
        let issued_at: DateTime<Utc> =
            sqlx::query_scalar("SELECT issued_at FROM member_card WHERE code = ?")
                .bind(code.as_str())
                .fetch_optional(self.pool())
                .await?
                .unwrap_or(member.created_at);
        Ok(IssuedCard {
            member_id,
            member_name: member.name,
            language: member.language,
            token: key.issue(&code),
            code: member.code,
            issued_at,
        })
    }

    /// Managers only: the card is refused from now on (the member keeps their history).
    pub async fn revoke_card(&self, actor: &Actor, input: &str) -> Result<RevokedCard> {
        actor.require(Permission::ReplaceCards)?;
        let code = self.card_code(input).await?;
        let mut tx = self.begin_write().await?;
        let revoked_at = revoke(&mut tx, &code, None).await?;
        self.commit(tx).await?;
        Ok(RevokedCard {
            code: code.to_string(),
            revoked_at,
        })
    }

    /// The member on screen lost their card: revoke their current one, issue a new one.
    pub async fn reissue_card_of(&self, actor: &Actor, member_id: MemberId) -> Result<IssuedCard> {
        let current = self.member(member_id).await?;
        self.reissue_card(actor, &current.code).await
    }

    /// Managers only: a new card for the member of `input`'s card; the old one is revoked and
    /// points to the new one.
    pub async fn reissue_card(&self, actor: &Actor, input: &str) -> Result<IssuedCard> {
        actor.require(Permission::ReplaceCards)?;
        let old = self.card_code(input).await?;
        let record = self
            .card_record(&old)
            .await?
            .ok_or(CoreError::UnknownCode)?;
        if record.replaced_by.is_some() {
            return Err(CoreError::CardReplaced {
                date: record
                    .revoked_at
                    .unwrap_or_else(Utc::now)
                    .date_naive()
                    .to_string(),
            });
        }
        let mut tx = self.begin_write().await?;
        let new = insert_card(&mut tx, record.member_id).await?;
        revoke(&mut tx, &old, Some(&new)).await?;
        sqlx::query("UPDATE member SET code = ? WHERE id = ?")
            .bind(new.as_str())
            .bind(record.member_id)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        self.card_of(record.member_id).await
    }
}

/// Sets `revoked_at` once (revocation never goes back) and links the replacement if any.
async fn revoke(
    tx: &mut WriteTx,
    code: &MemberCode,
    replaced_by: Option<&MemberCode>,
) -> Result<DateTime<Utc>> {
    let revoked_at: Option<DateTime<Utc>> = sqlx::query_scalar(
        "UPDATE member_card
         SET revoked_at = COALESCE(revoked_at, ?), replaced_by = COALESCE(?, replaced_by)
         WHERE code = ?
         RETURNING revoked_at",
    )
    .bind(Utc::now())
    .bind(replaced_by.map(MemberCode::as_str))
    .bind(code.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    revoked_at.ok_or(CoreError::UnknownCode)
}

/// Tries before giving up on drawing a code no card has had (40 random bits: a clash is rare).
const CODE_ATTEMPTS: usize = 8;

/// A code no card has ever had (revoked ones included), drawn inside the write transaction.
///
/// Once the till has joined a chain, codes start with its prefix: no other till of the chain
/// can draw the same one, with no question to the hub (docs/decisions/0014-sync.md).
pub(crate) async fn fresh_code(tx: &mut WriteTx) -> Result<MemberCode> {
    let prefix: Option<String> = sqlx::query_scalar("SELECT code_prefix FROM sync_hub")
        .fetch_optional(&mut **tx)
        .await?;
    let prefix = prefix.unwrap_or_default();
    for _ in 0..CODE_ATTEMPTS {
        let candidate = MemberCode::generate_under(&mut rand::thread_rng(), &prefix);
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

pub(crate) async fn register_card(
    tx: &mut WriteTx,
    member_id: MemberId,
    code: &MemberCode,
) -> Result<()> {
    sqlx::query("INSERT INTO member_card (code, member_id, issued_at) VALUES (?, ?, ?)")
        .bind(code.as_str())
        .bind(member_id)
        .bind(Utc::now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new card for an existing member (reissue): registered, and its code returned.
pub(crate) async fn insert_card(tx: &mut WriteTx, member_id: MemberId) -> Result<MemberCode> {
    let code = fresh_code(tx).await?;
    register_card(tx, member_id, &code).await?;
    Ok(code)
}
