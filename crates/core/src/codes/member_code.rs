//! Member codes: 8 random Crockford base32 characters and one check character, printed under the
//! QR code and typed by hand when the QR is damaged (`7K3M-Q9PX-R`).
//!
//! The check character is a weighted sum over GF(32) with weights α⁰…α⁸ (α a primitive element).
//! Because every weight is non-zero and all weights differ, it catches every single-character
//! error and every transposition of two characters (adjacent or not); see docs/decisions.

use std::fmt;

use rand::Rng;

/// Crockford's base32 alphabet: no I, L, O, U (they read as 1, 1, 0 or are obscene).
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const PAYLOAD_LEN: usize = 8;
pub const CODE_LEN: usize = PAYLOAD_LEN + 1;

/// A member code known to be well-formed, canonical (upper case, no separators) and to have a
/// matching check character.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct MemberCode(String);

/// Why typed or scanned text is not a member code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CodeError {
    /// Wrong length or characters outside the alphabet: not meant to be a code.
    Malformed,
    /// Looks like a code but the check character disagrees: a typo or a misread.
    CheckFailed,
}

impl MemberCode {
    pub fn generate(rng: &mut impl Rng) -> MemberCode {
        MemberCode::generate_under(rng, "")
    }

    /// A code that starts with `prefix` (a till's share of its chain's code space, see
    /// `sync::protocol::code_prefix`), the rest random. Two tills with different prefixes,
    /// neither the start of the other, can never draw the same code.
    pub fn generate_under(rng: &mut impl Rng, prefix: &str) -> MemberCode {
        let mut values = [0u8; CODE_LEN];
        let fixed: Vec<u8> = prefix.chars().filter_map(symbol_value).collect();
        debug_assert_eq!(
            fixed.len(),
            prefix.len(),
            "a prefix is in the code alphabet"
        );
        for (i, v) in values.iter_mut().take(PAYLOAD_LEN).enumerate() {
            *v = match fixed.get(i) {
                Some(&f) => f,
                None => rng.gen_range(0..32),
            };
        }
        values[PAYLOAD_LEN] = check_value(&values[..PAYLOAD_LEN]);
        MemberCode(
            values
                .iter()
                .map(|&v| ALPHABET[v as usize] as char)
                .collect(),
        )
    }

    /// Reads a code as a person types it: case, spaces and dashes do not matter, and the letters
    /// Crockford folds (I and L read as 1, O as 0) are folded.
    pub fn parse(input: &str) -> Result<MemberCode, CodeError> {
        let mut values = Vec::with_capacity(CODE_LEN);
        for c in input.chars() {
            if c == '-' || c == ' ' {
                continue;
            }
            values.push(symbol_value(c).ok_or(CodeError::Malformed)?);
        }
        if values.len() != CODE_LEN {
            return Err(CodeError::Malformed);
        }
        if check_value(&values[..PAYLOAD_LEN]) != values[PAYLOAD_LEN] {
            return Err(CodeError::CheckFailed);
        }
        Ok(MemberCode(
            values
                .iter()
                .map(|&v| ALPHABET[v as usize] as char)
                .collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for reading aloud and typing: `7K3M-Q9PX-R`.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.0[..4], &self.0[4..8], &self.0[8..])
    }
}

impl fmt::Display for MemberCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn symbol_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u8)
}

/// Multiplication in GF(2⁵) modulo the primitive polynomial x⁵ + x² + 1.
fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0b10_0000 != 0 {
            a ^= 0b10_0101;
        }
    }
    product
}

/// The check value c such that Σ αⁱ⁺¹·vᵢ + c = 0 over GF(32) (addition is XOR, so c is the sum).
fn check_value(payload: &[u8]) -> u8 {
    const ALPHA: u8 = 2;
    let mut weight = 1u8;
    let mut sum = 0u8;
    for &v in payload {
        weight = gf32_mul(weight, ALPHA);
        sum ^= gf32_mul(weight, v);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use rstest::rstest;

    fn sample_codes() -> Vec<MemberCode> {
        let mut rng = StdRng::seed_from_u64(7);
        (0..200).map(|_| MemberCode::generate(&mut rng)).collect()
    }

    #[test]
    fn generated_codes_parse_back_to_themselves() {
        for code in sample_codes() {
            assert_eq!(MemberCode::parse(code.as_str()), Ok(code.clone()));
            assert_eq!(MemberCode::parse(&code.display()), Ok(code.clone()));
            assert_eq!(
                MemberCode::parse(&code.display().to_lowercase()),
                Ok(code.clone())
            );
        }
    }

    #[test]
    fn every_single_character_error_is_caught() {
        for code in sample_codes() {
            let chars: Vec<char> = code.as_str().chars().collect();
            for position in 0..CODE_LEN {
                for &replacement in ALPHABET.iter() {
                    let replacement = replacement as char;
                    if replacement == chars[position] {
                        continue;
                    }
                    let mut typo = chars.clone();
                    typo[position] = replacement;
                    let typo: String = typo.into_iter().collect();
                    assert_eq!(
                        MemberCode::parse(&typo),
                        Err(CodeError::CheckFailed),
                        "{typo} (from {code}) was accepted"
                    );
                }
            }
        }
    }

    #[test]
    fn every_adjacent_swap_is_caught() {
        for code in sample_codes() {
            let chars: Vec<char> = code.as_str().chars().collect();
            for position in 0..CODE_LEN - 1 {
                if chars[position] == chars[position + 1] {
                    continue;
                }
                let mut swapped = chars.clone();
                swapped.swap(position, position + 1);
                let swapped: String = swapped.into_iter().collect();
                assert_eq!(
                    MemberCode::parse(&swapped),
                    Err(CodeError::CheckFailed),
                    "{swapped} (from {code}) was accepted"
                );
            }
        }
    }

    #[rstest]
    #[case::too_short("7K3M-Q9PX")]
    #[case::too_long("7K3MQ9PXRR0")]
    #[case::letter_u_is_not_in_the_alphabet("7K3MQ9PXU")]
    #[case::punctuation("7K3M!9PXR")]
    #[case::a_name("Claire")]
    #[case::empty("")]
    fn malformed_input_is_not_a_code(#[case] input: &str) {
        assert_eq!(MemberCode::parse(input), Err(CodeError::Malformed));
    }

    #[test]
    fn letters_that_look_like_digits_fold_into_them() {
        let code = sample_codes()
            .into_iter()
            .find(|c| c.as_str().contains('1') && c.as_str().contains('0'))
            .expect("a sample code with a 1 and a 0");
        let typed = code.as_str().replace('1', "l").replace('0', "O");
        assert_eq!(MemberCode::parse(&typed), Ok(code));
    }
}
