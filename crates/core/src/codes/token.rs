//! Card tokens, what a card's QR code holds: `TS1` + key id + card code + MAC, all upper-case
//! Crockford base32, so the QR is in alphanumeric mode and small (version 2 at level M).
//!
//! The MAC is HMAC-SHA256 under a chain key, cut to 100 bits: a till verifies a card of any shop
//! of the chain offline, and someone who has seen any number of cards cannot make a new one
//! (2⁻¹⁰⁰ per try). Why not Ed25519: its 64-byte signature alone is ~103 characters and cannot be
//! truncated (see docs/decisions/0007-card-tokens.md).

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use crate::codes::member_code::{MemberCode, ALPHABET, CODE_LEN};

pub const PREFIX: &str = "TS1";
pub const KEY_ID_LEN: usize = 2;
/// 20 base32 characters: 100 bits of MAC.
pub const MAC_LEN: usize = 20;
pub const TOKEN_LEN: usize = PREFIX.len() + KEY_ID_LEN + CODE_LEN + MAC_LEN;

/// A chain key: its short public id (printed in every token) and its secret.
#[derive(Clone)]
pub struct ChainKey {
    pub id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret, not even in a debug log.
        f.debug_struct("ChainKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ChainKey {
    pub fn generate(rng: &mut impl Rng) -> ChainKey {
        let id = (0..KEY_ID_LEN)
            .map(|_| ALPHABET[rng.gen_range(0..32)] as char)
            .collect();
        let mut secret = vec![0u8; 32];
        rng.fill(&mut secret[..]);
        ChainKey { id, secret }
    }

    /// The same key for the same seed, every run (tests).
    #[cfg(test)]
    pub(crate) fn seeded(seed: u64) -> ChainKey {
        use rand::SeedableRng;
        ChainKey::generate(&mut rand::rngs::StdRng::seed_from_u64(seed))
    }

    pub fn from_parts(id: String, secret: Vec<u8>) -> ChainKey {
        ChainKey { id, secret }
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The token printed in the QR code of the card with `code`.
    pub fn issue(&self, code: &MemberCode) -> String {
        let body = format!("{PREFIX}{}{}", self.id, code.as_str());
        let mac = self.mac(&body);
        format!("{body}{mac}")
    }

    /// The MAC of a token's body (everything before the MAC, its prefix included, so a card's
    /// MAC can never pass for a coupon's).
    pub(crate) fn mac(&self, body: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key size");
        mac.update(body.as_bytes());
        let digest = mac.finalize().into_bytes();
        base32_prefix(&digest, MAC_LEN)
    }
}

/// The first `symbols` × 5 bits of `bytes`, as Crockford base32.
fn base32_prefix(bytes: &[u8], symbols: usize) -> String {
    (0..symbols)
        .map(|i| {
            let bit = i * 5;
            let pair =
                u16::from(bytes[bit / 8]) << 8 | u16::from(*bytes.get(bit / 8 + 1).unwrap_or(&0));
            let value = (pair >> (11 - bit % 8)) & 0b1_1111;
            ALPHABET[value as usize] as char
        })
        .collect()
}

/// Why a token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Starts like a token but is shorter: a partial read, or a damaged print.
    Truncated,
    /// Made under a key this till does not know (another chain, or a key not synced yet).
    UnknownKey,
    /// The MAC does not match: altered, misread, or forged.
    Forged,
}

/// A signed token as read: its body (prefix, key id, payload) and its MAC, before the MAC is
/// checked. Card and coupon tokens share it; each reads its own payload once `verified`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signed {
    key_id: String,
    body: String,
    mac: String,
}

impl Signed {
    /// `text` shaped as `prefix` + key id + payload + MAC, `len` characters in all.
    pub(crate) fn parse(text: &str, prefix: &str, len: usize) -> Result<Signed, TokenError> {
        if text.len() < len {
            return Err(TokenError::Truncated);
        }
        if text.len() > len || !text.is_ascii() || !text.starts_with(prefix) {
            return Err(TokenError::Forged);
        }
        let (body, mac) = text.split_at(len - MAC_LEN);
        Ok(Signed {
            key_id: body[prefix.len()..prefix.len() + KEY_ID_LEN].to_string(),
            body: body.to_string(),
            mac: mac.to_string(),
        })
    }

    /// The payload (after the prefix and key id), if the MAC matches under the key the token
    /// names.
    pub(crate) fn verified(&self, keys: &[ChainKey]) -> Result<&str, TokenError> {
        let key = keys
            .iter()
            .find(|k| k.id == self.key_id)
            .ok_or(TokenError::UnknownKey)?;
        if !constant_time_eq(key.mac(&self.body).as_bytes(), self.mac.as_bytes()) {
            return Err(TokenError::Forged);
        }
        // Every prefix (`TS1`, `TC1`) is three characters.
        Ok(&self.body[PREFIX.len() + KEY_ID_LEN..])
    }

    /// The token as read.
    pub(crate) fn text(&self) -> String {
        format!("{}{}", self.body, self.mac)
    }
}

/// A card token as read, before its MAC is checked against the chain's keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenClaim(Signed);

impl TokenClaim {
    /// Reads the shape of a token (already upper case, no separators). The card code inside is
    /// only trusted once `verify` has checked the MAC.
    pub fn parse(text: &str) -> Result<TokenClaim, TokenError> {
        Signed::parse(text, PREFIX, TOKEN_LEN).map(TokenClaim)
    }

    /// The card code, if the MAC matches under the key the token names.
    pub fn verify(&self, keys: &[ChainKey]) -> Result<MemberCode, TokenError> {
        MemberCode::parse(self.0.verified(keys)?).map_err(|_| TokenError::Forged)
    }
}

/// Compares without stopping at the first difference, so timing tells nothing about the MAC.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn code(seed: u64) -> MemberCode {
        MemberCode::generate(&mut StdRng::seed_from_u64(seed))
    }

    #[test]
    fn a_token_round_trips_to_its_card_code() {
        let key = ChainKey::seeded(1);
        let token = key.issue(&code(2));
        assert_eq!(token.len(), TOKEN_LEN);
        assert!(token.starts_with("TS1"));
        assert!(token.chars().all(|c| ALPHABET.contains(&(c as u8))));
        let claim = TokenClaim::parse(&token).unwrap();
        assert_eq!(claim.verify(&[key]), Ok(code(2)));
    }

    #[test]
    fn any_single_changed_character_is_refused_as_forged() {
        let key = ChainKey::seeded(1);
        let token = key.issue(&code(3));
        let other_keys = [key.clone(), ChainKey::seeded(9)];
        for position in 0..TOKEN_LEN {
            for &replacement in ALPHABET.iter() {
                let mut altered: Vec<u8> = token.clone().into_bytes();
                if altered[position] == replacement {
                    continue;
                }
                altered[position] = replacement;
                let altered = String::from_utf8(altered).unwrap();
                let verdict = TokenClaim::parse(&altered).and_then(|c| c.verify(&other_keys));
                // A change inside the key id may name no known key: refused either way.
                assert!(
                    matches!(verdict, Err(TokenError::Forged | TokenError::UnknownKey)),
                    "{altered} was accepted: {verdict:?}"
                );
                if !(PREFIX.len()..PREFIX.len() + KEY_ID_LEN).contains(&position) {
                    assert_eq!(verdict, Err(TokenError::Forged), "{altered}");
                }
            }
        }
    }

    #[test]
    fn a_token_made_with_an_unknown_key_is_refused() {
        let token = ChainKey::seeded(1).issue(&code(4));
        let mut stranger = ChainKey::seeded(5);
        stranger.id = "ZZ".into();
        let verdict = TokenClaim::parse(&token).unwrap().verify(&[stranger]);
        assert_eq!(verdict, Err(TokenError::UnknownKey));
    }

    #[test]
    fn a_key_with_the_same_id_but_another_secret_does_not_verify() {
        let key = ChainKey::seeded(1);
        let token = key.issue(&code(4));
        let impostor = ChainKey::from_parts(key.id.clone(), vec![7; 32]);
        let verdict = TokenClaim::parse(&token).unwrap().verify(&[impostor]);
        assert_eq!(verdict, Err(TokenError::Forged));
    }

    #[test]
    fn a_truncated_token_is_refused_as_truncated() {
        let token = ChainKey::seeded(1).issue(&code(6));
        for len in [3, 14, TOKEN_LEN - 1] {
            assert_eq!(
                TokenClaim::parse(&token[..len]),
                Err(TokenError::Truncated),
                "{len}"
            );
        }
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let key = ChainKey::from_parts("AB".into(), vec![0xAB; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains("AB") && !shown.contains("171"), "{shown}");
    }

    proptest! {
        #[test]
        fn random_tokens_round_trip(key_seed in any::<u64>(), code_seed in any::<u64>()) {
            let key = ChainKey::seeded(key_seed);
            let token = key.issue(&code(code_seed));
            prop_assert_eq!(TokenClaim::parse(&token).unwrap().verify(&[key]), Ok(code(code_seed)));
        }
    }
}
