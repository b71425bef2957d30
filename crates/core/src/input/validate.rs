//! Input rules shared by every entry point: what a name, an email, a PIN... may be.
//! Values are trimmed and normalised here, once, before anything is written.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::{CoreError, Result};

pub const NAME_MAX: usize = 100;
pub const TEXT_MAX: usize = 200;
/// RFC 5321's limit on a forward path.
pub const EMAIL_MAX: usize = 254;
/// Generous for "+40 (0) 721-234-567" and the like; checked before the digits are counted.
pub const PHONE_MAX: usize = 30;
pub const PUNCHES_MAX: i64 = 100;
pub const COUNT_MAX: i64 = 50;

/// The languages every screen and printed card speaks.
pub const LANGUAGES: [&str; 5] = ["en", "fr", "it", "ro", "hu"];

/// NFC, so "É" typed as E + combining accent is stored, searched and compared as one letter;
/// then trimmed of spaces and of the zero-width characters a paste can leave at either end.
pub fn normalised(value: &str) -> String {
    let value: String = value.nfc().collect();
    value.trim_matches(is_trimmed).to_string()
}

fn is_trimmed(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// Control characters (category Cc: C0, DEL, C1 such as ESC) and line or paragraph breaks.
/// Every field is a single line, and a stored ESC would drive a terminal that prints it.
fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Characters that show nothing by themselves: spaces, zero-width and bidi controls, joiners,
/// soft hyphens, variation selectors, fillers, tags. Legitimate inside a word (a ZWJ in an
/// emoji, a ZWNJ in Persian), but a value made only of them is empty.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}'
            | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Nothing a person could read: only invisible characters and marks with no letter to sit on.
fn is_blank(value: &str) -> bool {
    value
        .chars()
        .all(|c| is_invisible(c) || is_combining_mark(c))
}

/// A required single line of free text, at most `max` characters once normalised.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    checked(field, normalised(value), max, is_forbidden)
}

/// Free text of several lines (a manager's message to members): as `text`, but line breaks
/// are kept (as `\n`) and blank lines allowed.
pub fn paragraph(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = normalised(&value.replace("\r\n", "\n").replace('\r', "\n"));
    checked(field, value, max, |c| c != '\n' && is_forbidden(c))
}

/// A normalised value with no `forbidden` character, something readable, at most `max`
/// characters.
fn checked(
    field: &'static str,
    value: String,
    max: usize,
    forbidden: impl Fn(char) -> bool,
) -> Result<String> {
    if value.contains(forbidden) {
        return Err(CoreError::InvalidCharacters { field });
    }
    if is_blank(&value) {
        return Err(CoreError::Empty { field });
    }
    if value.chars().count() > max {
        return Err(CoreError::TooLong { field, max });
    }
    Ok(value)
}

/// An optional field: absent, or nothing readable, is `None`.
fn optional(value: Option<&str>) -> Option<String> {
    value.map(normalised).filter(|v| !is_blank(v))
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

/// An optional birthday without its year, stored `MM-DD`: typed `MM-DD` (ISO's order, as
/// `--MM-DD` without the dashes) or the European `DD.MM.`, `DD/MM`. Empty is none; the 29th
/// of February is a birthday.
pub fn birthday(value: &str) -> Result<Option<String>> {
    let value = value.trim().trim_start_matches("--").trim_end_matches('.');
    if value.is_empty() {
        return Ok(None);
    }
    let number =
        |part: &str| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    let (month, day) = match (value.split_once('-'), value.split_once(['.', '/'])) {
        (Some((m, d)), None) => (m, d),
        (None, Some((d, m))) => (m, d),
        _ => return Err(CoreError::InvalidBirthday),
    };
    if !number(month) || !number(day) {
        return Err(CoreError::InvalidBirthday);
    }
    let (month, day): (u32, u32) = (month.parse().unwrap_or(0), day.parse().unwrap_or(0));
    // 2024 is a leap year: every day a person can be born on is in it.
    chrono::NaiveDate::from_ymd_opt(2024, month, day)
        .map(|_| Some(format!("{month:02}-{day:02}")))
        .ok_or(CoreError::InvalidBirthday)
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

/// Optional email, stored lower-case. Deliberately simple, not RFC 5322: one `@`, a local part
/// and a dotted domain, no empty part between dots, no spaces or invisible characters. The real
/// check is the member reading it back.
pub fn email(value: Option<&str>) -> Result<Option<String>> {
    let Some(value) = optional(value) else {
        return Ok(None);
    };
    let value = value.to_lowercase();
    let dotted = |part: &str| !part.is_empty() && part.split('.').all(|label| !label.is_empty());
    let valid = value.chars().count() <= EMAIL_MAX
        && !value.contains(|c| is_forbidden(c) || is_invisible(c))
        && matches!(value.split_once('@'), Some((local, domain))
            if dotted(local) && dotted(domain) && domain.contains('.') && !domain.contains('@'));
    valid.then_some(Some(value)).ok_or(CoreError::InvalidEmail)
}

/// Optional phone: as typed (for display) and its digits (for search). Invisible characters
/// (the bidi marks some apps wrap a copied number in) are dropped and any space becomes a
/// plain one; the length is bounded before the digits are counted.
pub fn phone(value: Option<&str>) -> Result<Option<(String, String)>> {
    let Some(value) = optional(value) else {
        return Ok(None);
    };
    if value.chars().count() > PHONE_MAX {
        return Err(CoreError::TooLong {
            field: "phone",
            max: PHONE_MAX,
        });
    }
    let value: String = value
        .chars()
        .filter(|&c| c.is_whitespace() || !is_invisible(c))
        .map(|c| {
            if c.is_whitespace() && !c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let value = value.trim().to_string();
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let valid = value.chars().all(allowed) && (6..=15).contains(&digits.len());
    valid
        .then_some(Some((value, digits)))
        .ok_or(CoreError::InvalidPhone)
}

pub fn punches_needed(value: i64) -> Result<i64> {
    (1..=PUNCHES_MAX)
        .contains(&value)
        .then_some(value)
        .ok_or(CoreError::InvalidPunchesNeeded { max: PUNCHES_MAX })
}

/// An IANA time zone name (`Europe/Paris`), as the tz database spells it.
pub fn time_zone(value: &str) -> Result<String> {
    value
        .trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| CoreError::InvalidTimeZone)
}

/// A whole number a manager or cashier typed, within bounds; `field` names it in the message.
pub fn number(field: &'static str, value: i64, min: i64, max: i64) -> Result<i64> {
    (min..=max)
        .contains(&value)
        .then_some(value)
        .ok_or(CoreError::InvalidNumber { field, min, max })
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
    #[case::only_zero_width_spaces("\u{200B}\u{200B}", "empty_field")]
    #[case::only_joiners_and_byte_order_marks("\u{200C}\u{200D}\u{2060}\u{FEFF}", "empty_field")]
    #[case::only_a_soft_hyphen("\u{00AD}", "empty_field")]
    #[case::only_bidi_controls("\u{202A}\u{202E}\u{2066}\u{2069}", "empty_field")]
    #[case::only_a_variation_selector("\u{FE0F}", "empty_field")]
    #[case::only_a_combining_accent(" \u{0301} ", "empty_field")]
    #[case::only_hangul_fillers_and_a_braille_blank("\u{3164}\u{2800}", "empty_field")]
    #[case::terminal_escape("Ana\x1b[31m", "invalid_characters")]
    #[case::only_control_characters("\x07\x1b", "invalid_characters")]
    #[case::nul_inside("Ana\0Maria", "invalid_characters")]
    #[case::delete_character("Ana\x7f", "invalid_characters")]
    #[case::c1_control("Ana\u{9b}31m", "invalid_characters")]
    #[case::line_break_inside("Ana\nMaria", "invalid_characters")]
    #[case::tab_inside("Ana\tMaria", "invalid_characters")]
    #[case::unicode_line_separator("Ana\u{2028}Maria", "invalid_characters")]
    #[case::five_hundred_characters(&"é".repeat(500), "too_long")]
    #[case::one_over_the_maximum(&"a".repeat(NAME_MAX + 1), "too_long")]
    fn bad_names_are_refused(#[case] input: &str, #[case] code: &str) {
        assert_eq!(name(input).unwrap_err().code(), code);
    }

    #[rstest]
    #[case::trimmed("  Ștefan Őrsi ", "Ștefan Őrsi")]
    #[case::romanian_and_hungarian_letters("Ștefania Țurcan Őrs Űr", "Ștefania Țurcan Őrs Űr")]
    #[case::romanian_lower_case_comma_letters("ș ț ő ű", "ș ț ő ű")]
    #[case::decomposed_accent_is_composed("E\u{0301}lodie", "Élodie")]
    #[case::decomposed_romanian_comma_below("S\u{0326}tefan", "Ștefan")]
    #[case::byte_order_mark_and_zero_width_space_at_the_ends("\u{FEFF}Ana\u{200B}", "Ana")]
    #[case::trailing_newline_of_a_pasted_line("Ana Pop\n", "Ana Pop")]
    #[case::emoji_with_its_variation_selector("Ana ❤\u{FE0F}", "Ana ❤\u{FE0F}")]
    #[case::exactly_the_maximum(&"ő".repeat(NAME_MAX), &"ő".repeat(NAME_MAX))]
    #[case::maximum_counted_after_composing(&"o\u{0308}".repeat(NAME_MAX), &"ö".repeat(NAME_MAX))]
    fn good_names_are_kept_in_nfc(#[case] input: &str, #[case] stored: &str) {
        assert_eq!(name(input).unwrap(), stored);
    }

    #[rstest]
    #[case::reward_with_an_escape("reward", "Free\x1b[2J coffee", "invalid_characters")]
    #[case::reason_of_only_invisibles("reason", "\u{200B}\u{00AD}", "empty_field")]
    #[case::reward_too_long("reward", &"x".repeat(TEXT_MAX + 1), "too_long")]
    fn every_text_field_follows_the_same_rules(
        #[case] field: &'static str,
        #[case] input: &str,
        #[case] code: &str,
    ) {
        let error = text(field, input, TEXT_MAX).unwrap_err();
        assert_eq!(error.code(), code);
        assert_eq!(error.args()["field"], field, "the error names its field");
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
    #[case::short_domain_without_dot("a@b")]
    #[case::space("cl aire@example.com")]
    #[case::space_before_the_at("a b@c.d")]
    #[case::two_ats("a@b@example.com")]
    #[case::consecutive_dots_in_the_domain("a@b..c")]
    #[case::consecutive_dots_in_the_local_part("a..b@c.d")]
    #[case::local_part_ends_with_a_dot("a.@b.c")]
    #[case::local_part_starts_with_a_dot(".a@b.c")]
    #[case::domain_starts_with_a_dot("a@.b.c")]
    #[case::domain_ends_with_a_dot("a@b.c.")]
    #[case::empty_local_part("@b.c")]
    #[case::empty_domain("a@")]
    #[case::terminal_escape("a\x1b[31m@b.c")]
    #[case::zero_width_space_inside("cla\u{200B}ire@example.fr")]
    #[case::over_254_characters(&format!("{}@example.fr", "a".repeat(250)))]
    fn bad_emails_are_refused(#[case] input: &str) {
        assert_eq!(email(Some(input)).unwrap_err().code(), "invalid_email");
    }

    #[rstest]
    #[case::lower_cased(" Claire@Example.FR ", "claire@example.fr")]
    #[case::dotted_names("Claire.Dubois@Example.fr", "claire.dubois@example.fr")]
    #[case::subdomain_and_plus("ana+tessera@mail.example.co.uk", "ana+tessera@mail.example.co.uk")]
    #[case::accented_local_part_composed("e\u{0301}lodie@exemple.fr", "élodie@exemple.fr")]
    fn good_emails_are_kept_lower_case(#[case] input: &str, #[case] stored: &str) {
        assert_eq!(email(Some(input)).unwrap().as_deref(), Some(stored));
    }

    #[rstest]
    #[case::absent(None)]
    #[case::spaces(Some("  "))]
    #[case::only_invisible_characters(Some("\u{200B}\u{FEFF}"))]
    fn a_blank_email_or_phone_is_none(#[case] input: Option<&str>) {
        assert_eq!(email(input).unwrap(), None);
        assert_eq!(phone(input).unwrap(), None);
    }

    #[rstest]
    #[case::letters("06 12 AB 56", "invalid_phone")]
    #[case::too_few_digits("123", "invalid_phone")]
    #[case::sixteen_digits("1234567890123456", "invalid_phone")]
    #[case::terminal_escape("0612\x1b[31m345678", "invalid_phone")]
    #[case::tab_between_groups("06\t12 34 56 78", "invalid_phone")]
    #[case::over_thirty_characters(&"0 ".repeat(16), "too_long")]
    #[case::a_thousand_and_six_digits(&"0".repeat(1006), "too_long")]
    fn bad_phones_are_refused(#[case] input: &str, #[case] code: &str) {
        assert_eq!(phone(Some(input)).unwrap_err().code(), code);
    }

    #[rstest]
    #[case::as_typed(" +40 (721) 234-567 ", "+40 (721) 234-567", "40721234567")]
    #[case::no_break_spaces("06\u{A0}12\u{202F}34 56 78", "06 12 34 56 78", "0612345678")]
    #[case::bidi_marks_of_a_copied_number(
        "\u{202A}+33 6 12 34 56 78\u{202C}",
        "+33 6 12 34 56 78",
        "33612345678"
    )]
    fn good_phones_keep_their_form_and_digits(
        #[case] input: &str,
        #[case] shown: &str,
        #[case] digits: &str,
    ) {
        assert_eq!(
            phone(Some(input)).unwrap(),
            Some((shown.to_string(), digits.to_string()))
        );
    }

    #[rstest]
    #[case::three_digits("123")]
    #[case::letters("12a4")]
    #[case::nine_digits("123456789")]
    fn bad_pins_are_refused(#[case] input: &str) {
        assert_eq!(pin(input).unwrap_err().code(), "invalid_pin");
    }

    #[rstest]
    #[case::iso("03-14", Some("03-14"))]
    #[case::iso_without_year("--03-14", Some("03-14"))]
    #[case::european_dots("14.03.", Some("03-14"))]
    #[case::european_slash("4/3", Some("03-04"))]
    #[case::leap_day("29.02", Some("02-29"))]
    #[case::empty_removes_it("  ", None)]
    fn birthdays_are_kept_as_month_and_day(#[case] input: &str, #[case] stored: Option<&str>) {
        assert_eq!(birthday(input).unwrap().as_deref(), stored);
    }

    #[rstest]
    #[case::no_such_day("02-30")]
    #[case::month_13("13-01")]
    #[case::with_a_year("1990-03-14")]
    #[case::words("March 14")]
    #[case::both_forms("03-14.05")]
    fn bad_birthdays_are_refused(#[case] input: &str) {
        assert_eq!(birthday(input).unwrap_err().code(), "invalid_birthday");
    }

    #[test]
    fn a_paragraph_keeps_its_lines_and_refuses_other_controls() {
        assert_eq!(
            paragraph("message", "Hello!\r\n\r\nSee you soon.", 100).unwrap(),
            "Hello!\n\nSee you soon."
        );
        let refused = paragraph("message", "Bell\u{7}", 100).unwrap_err();
        assert_eq!(refused.code(), "invalid_characters");
        assert_eq!(
            text("name", "two\nlines", 100).unwrap_err().code(),
            "invalid_characters"
        );
    }
}
