//! The one decoding function for everything a scanner or a person types at the counter.
//! The cards issue extends it with signed QR payloads (`TS1…`) and keyboard-layout repair;
//! every caller (desktop, CLI) goes through `decode`, so they all gain it at once.

use crate::member_code::{CodeError, MemberCode};

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Decoded {
    /// A well-formed member code whose check character matches.
    Code(MemberCode),
    /// Shaped like a code, but the check character disagrees: a typo or a misread.
    Mistyped,
    /// Not a code at all (a name typed in the search box, noise).
    NotACode,
}

pub fn decode(input: &str) -> Decoded {
    // Scanners end with Enter or Tab, and some add a prefix/suffix of control characters.
    let trimmed = input.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    match MemberCode::parse(trimmed) {
        Ok(code) => Decoded::Code(code),
        Err(CodeError::CheckFailed) => Decoded::Mistyped,
        Err(CodeError::Malformed) => Decoded::NotACode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use rstest::rstest;

    fn code() -> MemberCode {
        MemberCode::generate(&mut StdRng::seed_from_u64(1))
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
        assert_eq!(decode(&input), Decoded::Code(code));
    }

    #[test]
    fn a_typo_is_mistyped_not_another_member() {
        let code = code();
        let mut chars: Vec<char> = code.as_str().chars().collect();
        chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
        assert_eq!(
            decode(&chars.into_iter().collect::<String>()),
            Decoded::Mistyped
        );
    }

    #[test]
    fn a_name_is_not_a_code() {
        assert_eq!(decode("Claire Dubois"), Decoded::NotACode);
    }
}
