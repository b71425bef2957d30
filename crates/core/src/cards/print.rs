//! Printing members' cards: the selection, each card's face in the member's language, and the
//! PDF (cards/pdf.rs draws it). Managers only.

use crate::cards::registry::IssuedCard;
use crate::codes::member_code::MemberCode;
use crate::error::{CoreError, Result};
use crate::ids::MemberId;
use crate::people::auth::Permission;
use crate::people::shop::Actor;
use crate::store::Store;

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
    async fn selected_members(&self, selection: &Selection) -> Result<Vec<MemberId>> {
        match selection {
            Selection::All => Ok(
                sqlx::query_scalar("SELECT id FROM member ORDER BY name, id")
                    .fetch_all(self.pool())
                    .await?,
            ),
            Selection::Members(wanted) => {
                let mut ids = Vec::with_capacity(wanted.len());
                for item in wanted {
                    let id = match item.trim().parse::<MemberId>() {
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
        sheet: crate::cards::pdf::Sheet,
        language: Option<&str>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<PrintedCards> {
        actor.require(Permission::PrintCards)?;
        let language = language.map(crate::input::validate::language).transpose()?;
        let shop = self.require_shop().await?;
        let key = self.signing_key().await?;
        let mut cards = Vec::new();
        for id in self.selected_members(selection).await? {
            cards.push(self.card_signed_with(id, &key).await?);
        }
        let total = cards.len();
        // Formatting happens after the last await: a Fluent bundle is not Send.
        let faces: Vec<crate::cards::pdf::CardFace> = cards
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
        let pdf = crate::cards::pdf::cards_pdf(&shop.name, &faces, sheet, &mut |done| {
            progress(done, total)
        })?;
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
        let sample = crate::cards::pdf::CardFace {
            shop: shop.name.clone(),
            member_name: text("card-test-sample"),
            code: sample_code.display(),
            token: key.issue(&sample_code),
            tagline: text("card-tagline"),
        };
        let texts = crate::cards::pdf::TestPageTexts {
            title: text("card-test-title"),
            hint: text("card-test-hint"),
            sample: text("card-test-sample"),
        };
        crate::cards::pdf::test_page_pdf(&texts, &sample)
    }
}

fn card_face(shop: &str, card: &IssuedCard, tagline: String) -> crate::cards::pdf::CardFace {
    let code = MemberCode::parse(&card.code)
        .map(|c| c.display())
        .unwrap_or_else(|_| card.code.clone());
    crate::cards::pdf::CardFace {
        shop: shop.to_string(),
        member_name: card.member_name.clone(),
        code,
        token: card.token.clone(),
        tagline,
    }
}
