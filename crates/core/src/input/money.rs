//! An amount of money as a cashier or a script types it, in any of the shop languages' ways:
//! `12.50`, `12,50`, `1 250,00`, `1.250,00`, `1,250.00`, `12`. The last `.` or `,` followed by
//! one or two digits is the decimal mark; other separators group thousands. Kept as cents.

use crate::error::{CoreError, Result};

fn invalid() -> CoreError {
    CoreError::InvalidNumber {
        field: "amount",
        min: 0,
        max: crate::counter::programs::SPENT_MAX_CENTS / 100,
    }
}

/// The amount in cents (hundredths of the currency unit).
pub fn cents(text: &str) -> Result<i64> {
    // Spaces of every kind group thousands (French writes a narrow no-break space).
    let text: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202F}')
        .collect();
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(invalid());
    }
    let (units, fraction) = match text.rfind(['.', ',']) {
        Some(mark) if (1..=2).contains(&(text.len() - mark - 1)) => {
            (&text[..mark], &text[mark + 1..])
        }
        _ => (text.as_str(), ""),
    };
    let units: String = units.chars().filter(char::is_ascii_digit).collect();
    let fraction = format!("{fraction:0<2}");
    let units: i64 = if units.is_empty() {
        0
    } else {
        units.parse().map_err(|_| invalid())?
    };
    let fraction: i64 = fraction.parse().map_err(|_| invalid())?;
    units
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .filter(|c| *c > 0 && *c <= crate::counter::programs::SPENT_MAX_CENTS)
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::whole("12", 1200)]
    #[case::point("12.50", 1250)]
    #[case::comma("12,50", 1250)]
    #[case::one_decimal("12,5", 1250)]
    #[case::french_thousands("1 250,00", 125_000)]
    #[case::narrow_no_break_space("1\u{202F}250,00", 125_000)]
    #[case::italian_thousands("1.250,00", 125_000)]
    #[case::english_thousands("1,250.00", 125_000)]
    #[case::thousands_without_decimals("1.250", 125_000)]
    #[case::cents_only(",99", 99)]
    fn amounts_as_people_type_them(#[case] text: &str, #[case] cents_expected: i64) {
        assert_eq!(cents(text).unwrap(), cents_expected);
    }

    #[rstest]
    #[case::empty("")]
    #[case::letters("12 EUR")]
    #[case::negative("-5")]
    #[case::zero("0,00")]
    #[case::too_big("100000000")]
    fn what_is_not_an_amount(#[case] text: &str) {
        assert_eq!(cents(text).unwrap_err().code(), "invalid_number");
    }
}
