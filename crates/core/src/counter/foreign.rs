//! A card from another shop whose member has not arrived here yet. Shop B is offline; a member
//! enrolled at shop A yesterday shows their card. Its token verifies under the chain's key, so
//! the card is genuine: B takes punches on it ("new to this shop: details arrive with the next
//! sync") under a provisional member id derived from the card's code alone, so every till
//! derives the same one. When the card's record arrives, the provisional member stands for the
//! card's holder (`member_alias`, as a merged member does) and its totals move there; punches
//! made under it on any till count for the holder from then on. A typed code proves nothing (it
//! can be guessed), so only a scanned token opens a card this way.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::codes::member_code::MemberCode;
use crate::error::Result;
use crate::ids::MemberId;
use crate::people::members::Member;
use crate::store::{Store, WriteTx};

/// The member id every till gives the card `code` while it knows no member of it.
pub fn provisional_id(code: &str) -> MemberId {
    let digest = Sha256::digest(format!("tessera provisional member {code}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    MemberId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

/// Once the card `code` is known here: if a provisional member of it was used (punched here, or
/// in events received from other tills), it now stands for the card's holder and its card
/// totals move there.
pub(crate) async fn link(tx: &mut WriteTx, code: &str) -> Result<()> {
    let provisional = provisional_id(code);
    let holder: Option<MemberId> =
        sqlx::query_scalar("SELECT member_id FROM member_card WHERE code = ?")
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(holder) = holder else {
        return Ok(());
    };
    let used: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM event WHERE member_id = ?1)
             OR EXISTS (SELECT 1 FROM provisional_card WHERE member_id = ?1)",
    )
    .bind(provisional)
    .fetch_one(&mut **tx)
    .await?;
    if !used {
        return Ok(());
    }
    let holder = crate::counter::merge::canonical(&mut **tx, holder).await?;
    sqlx::query(
        "INSERT INTO member_alias (alias_id, member_id) VALUES (?, ?)
         ON CONFLICT (alias_id) DO UPDATE SET member_id = excluded.member_id",
    )
    .bind(provisional)
    .bind(holder)
    .execute(&mut **tx)
    .await?;
    crate::counter::merge::move_cards(tx, provisional, holder).await?;
    sqlx::query("DELETE FROM provisional_card WHERE member_id = ?")
        .bind(provisional)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// A genuine card (its token verified) whose member this till does not know yet: noted,
    /// and shown as a member new to this shop.
    pub(crate) async fn provisional_member(&self, code: &MemberCode) -> Result<Member> {
        let id = provisional_id(code.as_str());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO provisional_card (member_id, code, seen_at) VALUES (?, ?, ?)
             ON CONFLICT (member_id) DO NOTHING",
        )
        .bind(id)
        .bind(code.as_str())
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(self
            .provisional(id)
            .await?
            .expect("the provisional card was just noted"))
    }

    /// The provisional member `id`, if it is one this till noted.
    pub(crate) async fn provisional(&self, id: MemberId) -> Result<Option<Member>> {
        let row: Option<(String, DateTime<Utc>)> =
            sqlx::query_as("SELECT code, seen_at FROM provisional_card WHERE member_id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let Some((code, seen_at)) = row else {
            return Ok(None);
        };
        let language = self
            .shop()
            .await?
            .map(|shop| shop.language)
            .unwrap_or_else(|| "en".into());
        Ok(Some(Member {
            id,
            code,
            // Not known here yet: the screens say "new to this shop" instead of a name.
            name: String::new(),
            email: None,
            phone: None,
            language,
            created_at: seen_at,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_till_derives_the_same_provisional_member_and_each_card_its_own() {
        assert_eq!(provisional_id("7K3MQ9PXR"), provisional_id("7K3MQ9PXR"));
        assert_ne!(provisional_id("7K3MQ9PXR"), provisional_id("7K3MQ9PXS"));
    }
}
