//! Printed loyalty cards: each member's current card code and its QR token, the chain keys
//! that sign tokens, and revocation with reissue. A replaced card stays known, so scanning it
//! says when it was replaced instead of "unknown card".

use chrono::{DateTime, Utc};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;
use uuid::Uuid;

use crate::auth::Permission;
use crate::card_token::{ChainKey, TokenError};
use crate::error::{CoreError, Result};
use crate::member_code::MemberCode;
use crate::scan::{self, Decoded};
use crate::shop::Actor;
use crate::store::{Store, WriteTx};

/// A card as printed: whose it is, the code under the QR, and the token in the QR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct IssuedCard {
    pub member_id: Uuid,
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
    pub member_id: Uuid,
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
    async fn signing_key(&self) -> Result<ChainKey> {
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
        let row: Option<(Uuid, Option<DateTime<Utc>>, Option<String>)> = sqlx::query_as(
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
            Decoded::Mistyped => Err(CoreError::MistypedCode),
            Decoded::NotACode => Err(CoreError::NotACode),
        }
    }

    /// The first reading whose MAC verifies; otherwise why the most trustworthy reading failed.
    pub(crate) async fn verify_token(
        &self,
        readings: &[std::result::Result<crate::card_token::TokenClaim, TokenError>],
    ) -> Result<MemberCode> {
        let keys = self.chain_keys().await?;
        let mut first_error = None;
        for reading in readings {
            match reading.clone().and_then(|claim| claim.verify(&keys)) {
                Ok(code) => return Ok(code),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or(TokenError::Forged).into())
    }

    /// The member's current card, with its token.
    /// Managers only: the member's current card with its token (a copy of the card: whoever
    /// has the token can print it).
    pub async fn current_card(&self, actor: &Actor, member_id: Uuid) -> Result<IssuedCard> {
        actor.require(Permission::ReadCardTokens)?;
        self.card_of(member_id).await
    }

    async fn card_of(&self, member_id: Uuid) -> Result<IssuedCard> {
        let key = self.signing_key().await?;
        self.card_signed_with(member_id, &key).await
    }

    /// The member's current card with its token under `key` (a print job reads the key once).
    async fn card_signed_with(&self, member_id: Uuid, key: &ChainKey) -> Result<IssuedCard> {
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
    pub async fn reissue_card_of(&self, actor: &Actor, member_id: Uuid) -> Result<IssuedCard> {
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
        let new = crate::members::insert_card(&mut tx, record.member_id).await?;
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

/// Which members' cards to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    All,
    /// Member ids or card codes.
    Members(Vec<String>),
}

/// A finished print job.
pub struct PrintedCards {
    pub pdf: Vec<u8>,
    pub cards: Vec<IssuedCard>,
}

impl Store {
    async fn selected_members(&self, selection: &Selection) -> Result<Vec<Uuid>> {
        match selection {
            Selection::All => Ok(
                sqlx::query_scalar("SELECT id FROM member ORDER BY name, id")
                    .fetch_all(self.pool())
                    .await?,
            ),
            Selection::Members(wanted) => {
                let mut ids = Vec::with_capacity(wanted.len());
                for item in wanted {
                    let id = match Uuid::parse_str(item.trim()) {
                        Ok(id) => self.member(id).await?.id,
                        Err(_) => {
                            let code = self.card_code(item).await?;
                            self.card_record(&code)
                                .await?
                                .ok_or(CoreError::UnknownCode)?
                                .member_id
                        }
                    };
                    ids.push(id);
                }
                Ok(ids)
            }
        }
    }

    /// Managers only: the PDF of the selected members' current cards, each card's text in the
    /// member's language unless `language` says otherwise. `progress(done, total)` is called as
    /// cards are drawn (the manager screen shows a progress bar).
    pub async fn print_cards(
        &self,
        actor: &Actor,
        selection: &Selection,
        sheet: crate::pdf::Sheet,
        language: Option<&str>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<PrintedCards> {
        actor.require(Permission::PrintCards)?;
        let language = language.map(crate::validate::language).transpose()?;
        let shop = self.require_shop().await?;
        let key = self.signing_key().await?;
        let mut cards = Vec::new();
        for id in self.selected_members(selection).await? {
            cards.push(self.card_signed_with(id, &key).await?);
        }
        let total = cards.len();
        // Formatting happens after the last await: a Fluent bundle is not Send.
        let faces: Vec<crate::pdf::CardFace> = cards
            .iter()
            .map(|card| {
                let messages =
                    crate::i18n::Messages::new(language.as_deref().unwrap_or(&card.language));
                card_face(
                    &shop.name,
                    card,
                    messages.format("card-tagline", &Default::default()),
                )
            })
            .collect();
        let pdf =
            crate::pdf::cards_pdf(&shop.name, &faces, sheet, &mut |done| progress(done, total))?;
        Ok(PrintedCards { pdf, cards })
    }

    /// Managers only: a page to check the printer's scaling, in the shop's language.
    pub async fn print_test_page(&self, actor: &Actor) -> Result<Vec<u8>> {
        actor.require(Permission::PrintCards)?;
        let shop = self.require_shop().await?;
        let key = self.signing_key().await?;
        let sample_code = MemberCode::generate(&mut rand::thread_rng());
        let messages = crate::i18n::Messages::new(&shop.language);
        let text = |key: &str| messages.format(key, &Default::default());
        let sample = crate::pdf::CardFace {
            shop: shop.name.clone(),
            member_name: text("card-test-sample"),
            code: sample_code.display(),
            token: key.issue(&sample_code),
            tagline: text("card-tagline"),
        };
        let texts = crate::pdf::TestPageTexts {
            title: text("card-test-title"),
            hint: text("card-test-hint"),
            sample: text("card-test-sample"),
        };
        crate::pdf::test_page_pdf(&texts, &sample)
    }
}

fn card_face(shop: &str, card: &IssuedCard, tagline: String) -> crate::pdf::CardFace {
    let code = MemberCode::parse(&card.code)
        .map(|c| c.display())
        .unwrap_or_else(|_| card.code.clone());
    crate::pdf::CardFace {
        shop: shop.to_string(),
        member_name: card.member_name.clone(),
        code,
        token: card.token.clone(),
        tagline,
    }
}
