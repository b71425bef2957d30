//! Coupon tokens, what a voucher's QR code holds: `TC1` + key id + the coupon's terms + MAC, in
//! the same Crockford base32 and under the same chain keys as a card's `TS1` token.
//!
//! The terms travel in the token (the coupon's id, its kind and value, the last day it is good
//! for, the one shop it is good in if any), so a till that has never heard of the coupon still
//! honours it offline, and nobody can raise its value or push its date without the MAC failing.
//! The MAC covers the prefix, so a card's MAC can never pass for a coupon's
//! (docs/decisions/0029-coupons.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ts")]
use ts_rs::TS;
use uuid::Uuid;

use crate::codes::member_code::ALPHABET;
use crate::codes::token::{ChainKey, Signed, TokenError, KEY_ID_LEN, MAC_LEN};
use crate::ids::{CouponId, ShopId};

pub const PREFIX: &str = "TC1";
const ID_LEN: usize = 26;
const KIND_LEN: usize = 1;
const VALUE_LEN: usize = 4;
const EXPIRY_LEN: usize = 3;
const SHOP_LEN: usize = 26;
pub const TOKEN_LEN: usize =
    PREFIX.len() + KEY_ID_LEN + ID_LEN + KIND_LEN + VALUE_LEN + EXPIRY_LEN + SHOP_LEN + MAC_LEN;

/// The largest value a token carries: 20 bits (amounts are in cents: 10,485.75 off).
pub const MAX_VALUE: i64 = (1 << (5 * VALUE_LEN)) - 1;

/// What a coupon gives.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    sqlx::Type,
    strum::IntoStaticStr,
)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum CouponKind {
    /// An item free (the coupon's text says which); its value is how many.
    FreeItem,
    /// An amount off, in the shop currency's cents.
    AmountOff,
    /// A percentage off, 1 to 100.
    PercentOff,
}

impl CouponKind {
    fn letter(self) -> char {
        match self {
            CouponKind::FreeItem => 'F',
            CouponKind::AmountOff => 'A',
            CouponKind::PercentOff => 'P',
        }
    }

    fn from_letter(letter: char) -> Option<CouponKind> {
        match letter {
            'F' => Some(CouponKind::FreeItem),
            'A' => Some(CouponKind::AmountOff),
            'P' => Some(CouponKind::PercentOff),
            _ => None,
        }
    }
}

/// The terms a coupon's token vouches for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponTerms {
    pub id: CouponId,
    pub kind: CouponKind,
    pub value: i64,
    /// The last day the coupon is good for (in the shop's time zone), if it has one.
    pub expires_on: Option<NaiveDate>,
    /// The one shop that takes the coupon, if it is not good in every shop of the chain.
    pub only_at: Option<ShopId>,
}

/// Expiry days count from here; `0` means none. 15 bits reach the year 2109.
fn expiry_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("a valid date")
}

/// The days a token can name as its last one (the range `coupons::issue` accepts).
pub fn expiry_in_range(day: NaiveDate) -> bool {
    let days = (day - expiry_epoch()).num_days();
    (1..(1 << (5 * EXPIRY_LEN))).contains(&days)
}

/// `n` in `len` base32 symbols, most significant first.
pub(crate) fn symbols(mut n: u128, len: usize) -> String {
    let mut out = vec![b'0'; len];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    debug_assert_eq!(n, 0, "a field wider than its place in the token");
    String::from_utf8(out).expect("the alphabet is ASCII")
}

/// The number `text` spells in base32, if it fits in `bits`.
pub(crate) fn number(text: &str, bits: u32) -> Option<u128> {
    let mut n: u128 = 0;
    for c in text.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == c)? as u128;
        n = n.checked_mul(32)?.checked_add(digit)?;
    }
    (bits >= 128 || n < 1 << bits).then_some(n)
}

impl ChainKey {
    /// The token printed in the QR code of a coupon with these terms.
    pub fn issue_coupon(&self, terms: &CouponTerms) -> String {
        let expiry = terms
            .expires_on
            .map_or(0, |day| (day - expiry_epoch()).num_days().max(0) as u128);
        let shop = terms.only_at.map_or(0, |shop| shop.0.as_u128());
        let body = format!(
            "{PREFIX}{}{}{}{}{}{}",
            self.id,
            symbols(terms.id.0.as_u128(), ID_LEN),
            terms.kind.letter(),
            symbols(terms.value.clamp(0, MAX_VALUE) as u128, VALUE_LEN),
            symbols(expiry, EXPIRY_LEN),
            symbols(shop, SHOP_LEN),
        );
        let mac = self.mac(&body);
        format!("{body}{mac}")
    }
}

/// A coupon token as read, before its MAC is checked against the chain's keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponClaim(Signed);

impl CouponClaim {
    /// Reads the shape of a coupon token (already upper case, no separators). Its terms are
    /// only trusted once `verify` has checked the MAC.
    pub fn parse(text: &str) -> Result<CouponClaim, TokenError> {
        Signed::parse(text, PREFIX, TOKEN_LEN).map(CouponClaim)
    }

    /// The token as read (its body and MAC), for the screens and the voucher.
    pub fn text(&self) -> String {
        self.0.text()
    }

    /// The coupon's terms, if the MAC matches under the key the token names.
    pub fn verify(&self, keys: &[ChainKey]) -> Result<CouponTerms, TokenError> {
        terms(self.0.verified(keys)?).ok_or(TokenError::Forged)
    }
}

/// The terms a verified payload spells.
fn terms(payload: &str) -> Option<CouponTerms> {
    let mut rest = payload;
    let mut take = |len: usize| {
        let (field, tail) = rest.split_at(len);
        rest = tail;
        field
    };
    let id = number(take(ID_LEN), 128)?;
    let kind = CouponKind::from_letter(take(KIND_LEN).chars().next()?)?;
    let value = number(take(VALUE_LEN), 20)? as i64;
    let expiry = number(take(EXPIRY_LEN), 15)? as i64;
    let shop = number(take(SHOP_LEN), 128)?;
    Some(CouponTerms {
        id: CouponId(Uuid::from_u128(id)),
        kind,
        value,
        expires_on: (expiry > 0).then(|| expiry_epoch() + chrono::Duration::days(expiry)),
        only_at: (shop != 0).then(|| ShopId(Uuid::from_u128(shop))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> CouponTerms {
        CouponTerms {
            id: CouponId::new(),
            kind: CouponKind::AmountOff,
            value: 500,
            expires_on: NaiveDate::from_ymd_opt(2027, 2, 28),
            only_at: Some(ShopId::new()),
        }
    }

    #[test]
    fn a_coupon_token_round_trips_to_its_terms() {
        let key = ChainKey::seeded(1);
        for terms in [
            terms(),
            CouponTerms {
                kind: CouponKind::FreeItem,
                value: 1,
                expires_on: None,
                only_at: None,
                ..terms()
            },
            CouponTerms {
                kind: CouponKind::PercentOff,
                value: MAX_VALUE,
                ..terms()
            },
        ] {
            let token = key.issue_coupon(&terms);
            assert_eq!(token.len(), TOKEN_LEN);
            assert!(token.starts_with(PREFIX));
            assert!(token.bytes().all(|c| ALPHABET.contains(&c)), "{token}");
            assert_eq!(
                CouponClaim::parse(&token)
                    .unwrap()
                    .verify(std::slice::from_ref(&key)),
                Ok(terms)
            );
        }
    }

    #[test]
    fn any_changed_character_is_refused() {
        let key = ChainKey::seeded(1);
        let token = key.issue_coupon(&terms());
        for position in 0..TOKEN_LEN {
            for &replacement in [b'0', b'7', b'Z'].iter() {
                let mut altered = token.clone().into_bytes();
                if altered[position] == replacement {
                    continue;
                }
                altered[position] = replacement;
                let altered = String::from_utf8(altered).unwrap();
                let verdict =
                    CouponClaim::parse(&altered).and_then(|c| c.verify(std::slice::from_ref(&key)));
                assert!(
                    matches!(verdict, Err(TokenError::Forged | TokenError::UnknownKey)),
                    "{altered} was accepted: {verdict:?}"
                );
            }
        }
    }

    #[test]
    fn a_card_token_is_not_a_coupon_and_a_coupon_is_not_a_card() {
        let key = ChainKey::seeded(1);
        let coupon = key.issue_coupon(&terms());
        assert!(
            crate::codes::token::TokenClaim::parse(&coupon[..crate::codes::token::TOKEN_LEN])
                .and_then(|c| c.verify(std::slice::from_ref(&key)))
                .is_err()
        );
        // The same body under a card's prefix is another MAC.
        let as_card = coupon.replacen(PREFIX, crate::codes::token::PREFIX, 1);
        assert_eq!(
            CouponClaim::parse(&as_card).and_then(|c| c.verify(&[key])),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn an_unknown_key_and_a_short_read_are_told_apart() {
        let token = ChainKey::seeded(1).issue_coupon(&terms());
        assert_eq!(
            CouponClaim::parse(&token)
                .unwrap()
                .verify(&[ChainKey::seeded(2)])
                .err(),
            Some(if ChainKey::seeded(2).id == ChainKey::seeded(1).id {
                TokenError::Forged
            } else {
                TokenError::UnknownKey
            })
        );
        assert_eq!(
            CouponClaim::parse(&token[..TOKEN_LEN - 1]),
            Err(TokenError::Truncated)
        );
    }

    #[test]
    fn the_expiry_range_is_what_the_token_can_hold() {
        assert!(expiry_in_range(
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        ));
        assert!(!expiry_in_range(
            NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
        ));
        assert!(!expiry_in_range(
            NaiveDate::from_ymd_opt(2200, 1, 1).unwrap()
        ));
    }
}
