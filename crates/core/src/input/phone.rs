//! Phone numbers as search keys. A number is typed in many forms ("06 12 34 04 08",
//! "+33 6 12 34 04 08", "0033612340408", or just its last digits "04 08"), and a cashier must
//! find the member from any of them. Every form shares the number's last digits, so members are
//! indexed by their digits without leading zeros, reversed (`phone_tail`): a suffix search
//! becomes an index prefix range. The country code is not known (a shop has no country), so an
//! international query tries the 1-, 2- and 3-digit country codes that exist.

/// Fewer digits than this after a country code cannot be a whole national number.
const NATIONAL_MIN_DIGITS: usize = 6;
/// A query with a leading trunk zero and at least this many digits is a whole national number.
const WHOLE_NUMBER_MIN_DIGITS: usize = 8;

/// The stored search key of a number's digits: leading zeros dropped, reversed.
pub fn tail(digits: &str) -> String {
    digits.trim_start_matches('0').chars().rev().collect()
}

/// The `phone_tail` prefixes that find the numbers a query may mean, most specific first.
/// `query` is what was typed; it must look like a phone number (see [`looks_like_phone`]).
pub fn tail_prefixes(query: &str) -> Vec<String> {
    let trimmed = query.trim_start();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let mut prefixes = Vec::new();
    let mut add = |p: String| {
        if !p.is_empty() && !prefixes.contains(&p) {
            prefixes.push(p);
        }
    };
    let international = if let Some(rest) = trimmed.strip_prefix('+') {
        Some(
            rest.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>(),
        )
    } else {
        digits.strip_prefix("00").map(str::to_string)
    };
    if let Some(after_plus) = international {
        for country_code_len in 1..=3 {
            if let Some(national) = after_plus.get(country_code_len..) {
                let national = national.trim_start_matches('0');
                if national.len() >= NATIONAL_MIN_DIGITS {
                    add(tail(national));
                }
            }
        }
    } else if digits.starts_with('0') && digits.len() >= WHOLE_NUMBER_MIN_DIGITS {
        // A national number with its trunk zero(s): the zeros are not part of the stored tail
        // of the same number written internationally.
        add(tail(&digits));
    } else {
        // The last digits of a number, as typed: zeros kept ("04 08" ends in 0408, not 408).
        add(digits.chars().rev().collect());
    }
    prefixes
}

/// Digits and the punctuation people put in phone numbers, with at least three digits.
pub fn looks_like_phone(query: &str) -> bool {
    let digits = query.chars().filter(char::is_ascii_digit).count();
    digits >= 3
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Whether the stored number would be found by the query.
    fn finds(stored: &str, query: &str) -> bool {
        let digits: String = stored.chars().filter(char::is_ascii_digit).collect();
        let stored_tail = tail(&digits);
        tail_prefixes(query)
            .iter()
            .any(|p| stored_tail.starts_with(p.as_str()))
    }

    #[rstest]
    #[case::national_form_of_an_international_number("+33 6 12 34 04 08", "0612340408")]
    #[case::last_digits_with_a_space("+33 6 12 34 04 08", "04 08")]
    #[case::international_form_of_a_national_number("06 12 34 04 08", "+33 6 12 34 04 08")]
    #[case::double_zero_international("06 12 34 04 08", "0033612340408")]
    #[case::same_form("06 12 34 04 08", "06 12 34 04 08")]
    #[case::hungarian_06_trunk("+36 30 123 4567", "06 30 123 4567")]
    #[case::italian_landline_keeps_its_zero("+39 02 1234 5678", "02 1234 5678")]
    #[case::romanian_mobile("+40 721 234 567", "0721 234 567")]
    #[case::three_digit_country_code("+352 621 123 456", "621 123 456")]
    fn a_number_is_found_from_any_of_its_forms(#[case] stored: &str, #[case] query: &str) {
        assert!(finds(stored, query), "{query:?} should find {stored:?}");
    }

    #[rstest]
    #[case::other_last_digits("+33 6 12 34 04 08", "04 09")]
    #[case::a_zero_in_the_last_digits_matters("+33 6 12 34 14 08", "04 08")]
    #[case::other_national_number("06 12 34 04 08", "0612340409")]
    fn another_number_is_not_found(#[case] stored: &str, #[case] query: &str) {
        assert!(
            !finds(stored, query),
            "{query:?} should not find {stored:?}"
        );
    }

    #[rstest]
    #[case("04 08", true)]
    #[case("+33 6 12", true)]
    #[case("06.12.34", true)]
    #[case("12", false)]
    #[case("dubois", false)]
    #[case("rue 12 34", false)]
    fn what_looks_like_a_phone_number(#[case] query: &str, #[case] expected: bool) {
        assert_eq!(looks_like_phone(query), expected);
    }
}
