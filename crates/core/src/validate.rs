//! Input rules shared by every entry point: what a name, an email, a PIN... may be.
//! Values are trimmed and normalised here, once, before anything is written.

use crate::error::{CoreError, Result};

pub const NAME_MAX: usize = 100;
pub const TEXT_MAX: usize = 200;
pub const PUNCHES_MAX: i64 = 100;
pub const COUNT_MAX: i64 = 50;

/// The languages every screen and printed card speaks.
pub const LANGUAGES: [&str; 5] = ["en", "fr", "it", "ro", "hu"];

pub fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CoreError::Empty { field });
    }
    if value.chars().count() > max {
        return Err(CoreError::TooLong { field, max });
    }
    Ok(value.to_string())
}

pub fn name(value: &str) -> Result<String> {
    text("name", value, NAME_MAX)
}

pub fn language(value: &str) -> Result<String> {
    let value = value.trim().to_ascii_lowercase();
    LANGUAGES
        .contains(&value.as_str())
        .then_some(value)
        .ok_or(CoreError::InvalidLanguage)
}

pub fn currency(value: &str) -> Result<String> {
    let value = value.trim().to_ascii_uppercase();
    (value.len() == 3 && value.chars().all(|c| c.is_ascii_uppercase()))
        .then_some(value)
        .ok_or(CoreError::InvalidCurrency)
}

pub fn pin(value: &str) -> Result<&str> {
    ((4..=8).contains(&value.len()) && value.chars().all(|c| c.is_ascii_digit()))
        .then_some(value)
        .ok_or(CoreError::InvalidPin)
}

/// Optional email, stored lower-case. Deliberately loose: one `@`, something on each side, no
/// spaces. The real check is the member reading it back.
pub fn email(value: Option<&str>) -> Result<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let value = value.to_lowercase();
    let valid = value.len() <= 254
        && !value.contains(char::is_whitespace)
        && matches!(value.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    valid.then_some(Some(value)).ok_or(CoreError::InvalidEmail)
}

/// Optional phone: as typed (for display) and its digits (for search).
pub fn phone(value: Option<&str>) -> Result<Option<(String, String)>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let valid = value.chars().all(allowed) && (6..=15).contains(&digits.len());
    valid
        .then(|| Some((value.to_string(), digits)))
        .ok_or(CoreError::InvalidPhone)
}

pub fn punches_needed(value: i64) -> Result<i64> {
    (1..=PUNCHES_MAX)
        .contains(&value)
        .then_some(value)
        .ok_or(CoreError::InvalidPunchesNeeded { max: PUNCHES_MAX })
}

pub fn count(value: i64) -> Result<i64> {
    (1..=COUNT_MAX)
        .contains(&value)
        .then_some(value)
        .ok_or(CoreError::InvalidCount { max: COUNT_MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::empty("", "empty_field")]
    #[case::only_spaces("   ", "empty_field")]
    #[case::five_hundred_characters(&"é".repeat(500), "too_long")]
    fn bad_names_are_refused(#[case] input: &str, #[case] code: &str) {
        assert_eq!(name(input).unwrap_err().code(), code);
    }

    #[test]
    fn a_name_is_trimmed_and_may_hold_any_letters() {
        assert_eq!(name("  Ștefan Őrsi ").unwrap(), "Ștefan Őrsi");
    }

    #[rstest]
    #[case::zero(0)]
    #[case::negative(-3)]
    #[case::absurd(101)]
    fn punches_needed_out_of_range_is_refused(#[case] n: i64) {
        assert_eq!(
            punches_needed(n).unwrap_err().code(),
            "invalid_punches_needed"
        );
    }

    #[rstest]
    #[case::no_at("claire.example.com")]
    #[case::no_domain_dot("claire@example")]
    #[case::space("cl aire@example.com")]
    #[case::two_ats("a@b@example.com")]
    fn bad_emails_are_refused(#[case] input: &str) {
        assert_eq!(email(Some(input)).unwrap_err().code(), "invalid_email");
    }

    #[test]
    fn emails_are_lower_cased_and_blank_means_none() {
        assert_eq!(
            email(Some(" Claire@Example.FR ")).unwrap().as_deref(),
            Some("claire@example.fr")
        );
        assert_eq!(email(Some("  ")).unwrap(), None);
    }

    #[rstest]
    #[case::letters("06 12 AB 56")]
    #[case::too_few_digits("123")]
    fn bad_phones_are_refused(#[case] input: &str) {
        assert_eq!(phone(Some(input)).unwrap_err().code(), "invalid_phone");
    }

    #[rstest]
    #[case::three_digits("123")]
    #[case::letters("12a4")]
    #[case::nine_digits("123456789")]
    fn bad_pins_are_refused(#[case] input: &str) {
        assert_eq!(pin(input).unwrap_err().code(), "invalid_pin");
    }
}
