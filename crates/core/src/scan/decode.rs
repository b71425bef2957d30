//! The one decoding function for everything a scanner or a person types at the counter: a card
//! token from a QR code (`TS1…`), a coupon's (`TC1…`), or a member code typed by hand
//! (`7K3M-Q9PX-R`).
//!
//! A USB scanner set to a US layout on a French, Belgian, German, Hungarian, Italian or Romanian
//! PC types other characters than it means. So a token is read several ways: from the physical
//! key codes when the UI has them (exact), as typed, and as each keyboard layout would have
//! mangled it. The MAC then tells which reading is the card (see `card_token`).

use crate::codes::coupon_token::{self, CouponClaim};
use crate::codes::member_code::{CodeError, MemberCode, ALPHABET};
use crate::codes::token::{TokenClaim, TokenError, PREFIX, TOKEN_LEN};
use crate::scan::keyboard::{self, Layout};

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Decoded {
    /// A well-formed member code whose check character matches.
    Code(MemberCode),
    /// Readings of a card token, most trustworthy first; the MAC decides which (if any) is real.
    Token(Vec<Result<TokenClaim, TokenError>>),
    /// Readings of a coupon token, the same way.
    Coupon(Vec<Result<CouponClaim, TokenError>>),
    /// Shaped like a code, but the check character disagrees: a typo or a misread.
    Mistyped,
    /// Not a code at all (a name typed in the search box, noise).
    NotACode,
}

/// One way of reading a scan, for the scanner test screen.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Reading {
    /// `key_codes`, `as_typed`, or the XKB name of the keyboard layout assumed.
    pub source: String,
    pub text: String,
}

/// Every reading `decode` considers, in its order of trust.
pub fn readings(input: &str, key_codes: &[String]) -> Vec<Reading> {
    let text: String = input.chars().filter(|c| !c.is_control()).collect();
    let text = text.trim();
    let mut readings = Vec::new();
    if let Some(us) = keyboard::us_from_key_codes(key_codes.iter().map(String::as_str)) {
        readings.push(Reading {
            source: "key_codes".into(),
            text: us,
        });
    }
    readings.push(Reading {
        source: "as_typed".into(),
        text: text.to_string(),
    });
    for layout in Layout::ALL {
        if let Some(us) = keyboard::to_us(layout, text).filter(|us| us != text) {
            readings.push(Reading {
                source: layout.xkb_name().into(),
                text: us,
            });
        }
    }
    readings
}

/// Decodes a scan or typed input. `key_codes` are the browser's `KeyboardEvent.code` of each
/// character when known (a scan in the desktop app), empty otherwise (CLI, pasted text).
pub fn decode(input: &str, key_codes: &[String]) -> Decoded {
    // Scanners may add control characters, an AIM prefix, a trailing Tab or Enter.
    let text: String = input.chars().filter(|c| !c.is_control()).collect();
    let text = text.trim();

    // A member code typed by hand is taken as it is (people type on their own layout).
    let as_code = MemberCode::parse(text);
    if let Ok(code) = as_code {
        return Decoded::Code(code);
    }
    // A code's shape with a wrong check character is a typo, even when `TS1` or `TC1` happens
    // to stand inside it ("ZBA4TC15X"): no token fits in a code's nine characters. Only one
    // that starts with a prefix may be a token cut short by the scanner.
    if as_code == Err(CodeError::CheckFailed) {
        let upper = text.to_ascii_uppercase();
        if !upper.starts_with(PREFIX) && !upper.starts_with(coupon_token::PREFIX) {
            return Decoded::Mistyped;
        }
    }

    // The first reading that holds a token says whether it is a card's or a coupon's.
    let mut tokens: Vec<Result<TokenClaim, TokenError>> = Vec::new();
    let mut coupons: Vec<Result<CouponClaim, TokenError>> = Vec::new();
    for reading in readings(input, key_codes) {
        match token_in(&reading.text) {
            Some(Found::Card(token)) if coupons.is_empty() && !tokens.contains(&token) => {
                tokens.push(token)
            }
            Some(Found::Coupon(coupon)) if tokens.is_empty() && !coupons.contains(&coupon) => {
                coupons.push(coupon)
            }
            _ => {}
        }
    }
    if !tokens.is_empty() {
        return Decoded::Token(tokens);
    }
    if !coupons.is_empty() {
        return Decoded::Coupon(coupons);
    }
    match as_code {
        Err(CodeError::CheckFailed) => Decoded::Mistyped,
        _ => Decoded::NotACode,
    }
}

enum Found {
    Card(Result<TokenClaim, TokenError>),
    Coupon(Result<CouponClaim, TokenError>),
}

/// The token inside `text`, if `TS1` (a card) or `TC1` (a coupon) starts a run of base32
/// characters: anything before it (a scanner prefix) and after the token's length (a suffix)
/// is ignored.
fn token_in(text: &str) -> Option<Found> {
    let folded: String = text
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect();
    let card = folded.find(PREFIX);
    let coupon = folded.find(coupon_token::PREFIX);
    let run = |start: usize, len: usize| -> String {
        folded[start..]
            .chars()
            .take_while(|c| ALPHABET.contains(&(*c as u8)) && c.is_ascii())
            .take(len)
            .collect()
    };
    // Whichever prefix comes first is the token; a scanner's prefix could hold the other.
    match (card, coupon) {
        (Some(card), coupon) if coupon.is_none_or(|coupon| card < coupon) => {
            Some(Found::Card(TokenClaim::parse(&run(card, TOKEN_LEN))))
        }
        (_, Some(coupon)) => Some(Found::Coupon(CouponClaim::parse(&run(
            coupon,
            coupon_token::TOKEN_LEN,
        )))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::token::ChainKey;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use rstest::rstest;

    fn code() -> MemberCode {
        MemberCode::generate(&mut StdRng::seed_from_u64(1))
    }

    fn decode_text(input: &str) -> Decoded {
        decode(input, &[])
    }

    #[rstest]
    #[case::bare("{}")]
    #[case::grouped_as_printed("{d}")]
    #[case::with_trailing_enter("{}\r")]
    #[case::with_trailing_tab("{}\t")]
    #[case::with_spaces_around("  {}  ")]
    fn a_code_decodes_whatever_surrounds_it(#[case] template: &str) {
        let code = code();
        let input = template
            .replace("{d}", &code.display())
            .replace("{}", code.as_str());
        assert_eq!(decode_text(&input), Decoded::Code(code));
    }

    #[test]
    fn a_typo_is_mistyped_not_another_member() {
        let code = code();
        let mut chars: Vec<char> = code.as_str().chars().collect();
        chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
        assert_eq!(
            decode_text(&chars.into_iter().collect::<String>()),
            Decoded::Mistyped
        );
    }

    /// Found by the CLI's refusal test (a random code's typo read "ZBA4TC15X"): a typo that
    /// happens to hold a card's or a coupon's prefix is still a typo, not a token cut short.
    #[test]
    fn a_typo_holding_a_token_prefix_is_mistyped() {
        for prefix in [PREFIX, coupon_token::PREFIX] {
            for seed in 0..20 {
                let code = MemberCode::generate(&mut StdRng::seed_from_u64(seed));
                let mut typed = format!("{}{prefix}{}", &code.as_str()[..3], &code.as_str()[6..]);
                if MemberCode::parse(&typed).is_ok() {
                    // The check character happened to fit: change the last one.
                    let last = if typed.ends_with('A') { 'B' } else { 'A' };
                    typed.pop();
                    typed.push(last);
                }
                assert_eq!(
                    MemberCode::parse(&typed),
                    Err(CodeError::CheckFailed),
                    "{typed}"
                );
                assert_eq!(decode_text(&typed), Decoded::Mistyped, "{typed}");
            }
        }
    }

    #[test]
    fn a_name_is_not_a_code() {
        assert_eq!(decode_text("Claire Dubois"), Decoded::NotACode);
    }

    /// The code a token decodes to under `key`, trying the readings in order.
    fn verified(decoded: &Decoded, key: &ChainKey) -> Option<MemberCode> {
        match decoded {
            Decoded::Token(readings) => readings
                .iter()
                .flatten()
                .find_map(|claim| claim.verify(std::slice::from_ref(key)).ok()),
            _ => None,
        }
    }

    #[rstest]
    #[case::bare("{}")]
    #[case::aim_prefix_and_enter("]Q1{}\r")]
    #[case::trailing_tab("{}\t")]
    #[case::control_characters_around("\u{2}{}\u{3}")]
    #[case::suffix_after_the_token("{}XYZ")]
    #[case::lower_case("{lower}")]
    fn a_token_is_found_whatever_the_scanner_adds(#[case] template: &str) {
        let key = ChainKey::generate(&mut StdRng::seed_from_u64(3));
        let token = key.issue(&code());
        let input = template
            .replace("{lower}", &token.to_lowercase())
            .replace("{}", &token);
        assert_eq!(
            verified(&decode_text(&input), &key),
            Some(code()),
            "{input:?}"
        );
    }

    #[test]
    fn a_truncated_token_is_reported_as_such() {
        let key = ChainKey::generate(&mut StdRng::seed_from_u64(3));
        let token = key.issue(&code());
        assert_eq!(
            decode_text(&token[..20]),
            Decoded::Token(vec![Err(TokenError::Truncated)])
        );
    }

    /// What a US-configured scanner types on a PC with `layout`.
    fn typed_on(layout: Layout, text: &str) -> String {
        text.chars()
            .map(|c| keyboard::typed_as(layout, c).expect("every token character is typeable"))
            .collect()
    }

    #[rstest]
    fn a_token_typed_through_any_layout_finds_the_card(
        #[values(
            Layout::Us,
            Layout::French,
            Layout::Belgian,
            Layout::German,
            Layout::Hungarian,
            Layout::Italian,
            Layout::Romanian
        )]
        layout: Layout,
    ) {
        let key = ChainKey::generate(&mut StdRng::seed_from_u64(11));
        for seed in 0..50 {
            let code = MemberCode::generate(&mut StdRng::seed_from_u64(seed));
            let typed = typed_on(layout, &key.issue(&code));
            assert_eq!(
                verified(&decode_text(&typed), &key),
                Some(code),
                "{layout:?}: {typed}"
            );
        }
    }

    #[test]
    fn physical_key_codes_are_read_first() {
        let key = ChainKey::generate(&mut StdRng::seed_from_u64(12));
        let token = key.issue(&code());
        let codes: Vec<String> = token
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    format!("Digit{c}")
                } else {
                    format!("Key{c}")
                }
            })
            .collect();
        // Whatever characters the layout produced, the key codes say which keys were pressed.
        let decoded = decode("garbage the layout typed", &codes);
        assert_eq!(verified(&decoded, &key), Some(code()));
    }

    proptest! {
        #[test]
        fn random_tokens_survive_every_layout(key_seed in any::<u64>(), code_seed in any::<u64>()) {
            let key = ChainKey::generate(&mut StdRng::seed_from_u64(key_seed));
            let code = MemberCode::generate(&mut StdRng::seed_from_u64(code_seed));
            for layout in Layout::ALL {
                let typed = typed_on(layout, &key.issue(&code));
                prop_assert_eq!(verified(&decode_text(&typed), &key), Some(code.clone()));
            }
        }
    }
}
