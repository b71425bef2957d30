//! Keyboard-layout repair for barcode scanners: what a US-configured scanner meant, read back
//! from what a French, Belgian, German, Hungarian, Italian or Romanian layout made of its keys.
//
// A USB scanner is a keyboard: set up for a US layout, it sends the physical keys that type each
// character on a US keyboard, and the PC's layout decides what they type. Member codes use only
// 0-9 and A-Z, and on every layout here those 36 keys type 36 different characters (the
// generator checks it), so the mapping can be read backwards without guessing.

use super::keyboard_tables::{COLUMNS, TYPED};

/// A PC keyboard layout the till may run under, as XKB knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    Us,
    French,
    Belgian,
    German,
    Hungarian,
    Italian,
    Romanian,
}

impl Layout {
    pub const ALL: [Layout; 7] = [
        Layout::Us,
        Layout::French,
        Layout::Belgian,
        Layout::German,
        Layout::Hungarian,
        Layout::Italian,
        Layout::Romanian,
    ];

    /// The XKB layout (and variant) the tables were generated from.
    pub fn xkb_name(self) -> &'static str {
        match self {
            Layout::Us => "us",
            Layout::French => "fr",
            Layout::Belgian => "be",
            Layout::German => "de",
            Layout::Hungarian => "hu",
            Layout::Italian => "it",
            Layout::Romanian => "ro(std)",
        }
    }

    /// This layout's column in `TYPED`. Found by name rather than by discriminant, so reordering
    /// the enum or the generated columns cannot silently read another layout's column.
    fn column(self) -> usize {
        COLUMNS
            .iter()
            .position(|&name| name == self.xkb_name())
            .expect("every layout has a generated column (checked by the tests)")
    }
}

/// The character `layout` types when a US-configured scanner sends the keys for `us` (one of 0-9
/// A-Z).
pub fn typed_as(layout: Layout, us: char) -> Option<char> {
    let column = layout.column();
    TYPED
        .iter()
        .find(|(sent, _)| *sent == us)
        .and_then(|(_, typed)| typed[column])
}

/// Reads back what a US-configured scanner meant from what `layout` typed: Some(text) when every
/// character maps back to one of 0-9 A-Z, else None.
///
/// A character that no scanned key types is read in its other case, for Caps Lock: it turns
/// Shift+letter into lower case (`q` for the scanner's `A` on AZERTY), and on Hungarian it also
/// turns the scanner's `0` (the `ö` key, a letter there) into `Ö`. The generator checks that no
/// column holds a character and its other case, so this never has to choose between two keys.
pub fn to_us(layout: Layout, typed: &str) -> Option<String> {
    let column = layout.column();
    typed.chars().map(|c| us_char(column, c)).collect()
}

/// From physical key codes as browsers give them (KeyboardEvent.code: "Digit1", "KeyA", ...),
/// the US characters of those keys (letters upper case). None if any code is outside that set.
pub fn us_from_key_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Option<String> {
    codes.into_iter().map(us_char_of_code).collect()
}

/// The US character whose keys type `typed` in `column` of `TYPED`, or else its other case.
fn us_char(column: usize, typed: char) -> Option<char> {
    let sent_for = |c: char| {
        TYPED
            .iter()
            .find(|(_, row)| row[column] == Some(c))
            .map(|&(us, _)| us)
    };
    sent_for(typed).or_else(|| other_case(typed).and_then(sent_for))
}

/// `c` in the other case when that is a single character (not `ß` → `SS`), else None.
fn other_case(c: char) -> Option<char> {
    let swapped = if c.is_lowercase() {
        single(c.to_uppercase())
    } else {
        single(c.to_lowercase())
    };
    swapped.filter(|&o| o != c)
}

/// `KeyboardEvent.code` names a physical key after what it types on a US keyboard, whatever the
/// layout, so these need no table: `Digit7` is `7`, `KeyQ` is `Q`.
fn us_char_of_code(code: &str) -> Option<char> {
    match code.strip_prefix("Digit") {
        Some(digit) => single(digit.chars()).filter(char::is_ascii_digit),
        None => single(code.strip_prefix("Key")?.chars()).filter(char::is_ascii_uppercase),
    }
}

/// The only item of `chars`, or None when there are none or several.
fn single(mut chars: impl Iterator<Item = char>) -> Option<char> {
    let first = chars.next()?;
    chars.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Everything a scanner sends for a member code or a card token.
    const SCANNED: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    #[test]
    fn every_layout_reads_its_own_generated_column() {
        for layout in Layout::ALL {
            assert_eq!(COLUMNS[layout.column()], layout.xkb_name(), "{layout:?}");
        }
        assert_eq!(
            COLUMNS.len(),
            Layout::ALL.len(),
            "a generated column has no layout"
        );
    }

    #[rstest]
    #[case::us_is_identity(Layout::Us, SCANNED, SCANNED)]
    #[case::french_digits_row(Layout::French, "&é\"'(-è_çà", "1234567890")]
    #[case::french_a_q_and_z_w_swap(Layout::French, "QAWZ", "AQZW")]
    #[case::french_m_key_types_a_question_mark(Layout::French, "?", "M")]
    #[case::french_member_code(Layout::French, "èK\"?AçPXR", "7K3MQ9PXR")]
    #[case::belgian_digits_row_has_section_and_exclamation(
        Layout::Belgian,
        "&é\"'(§è!çà",
        "1234567890"
    )]
    #[case::belgian_letters_move_like_french(Layout::Belgian, "QAWZ?", "AQZWM")]
    #[case::german_y_and_z_swap(Layout::German, "ZY", "YZ")]
    #[case::german_digits_are_digits(Layout::German, "1234567890", "1234567890")]
    #[case::hungarian_zero_is_o_umlaut(Layout::Hungarian, "123456789ö", "1234567890")]
    #[case::hungarian_y_and_z_swap(Layout::Hungarian, "ZY", "YZ")]
    #[case::italian_types_every_scanned_key_as_us(Layout::Italian, SCANNED, SCANNED)]
    #[case::romanian_standard_types_every_scanned_key_as_us(Layout::Romanian, SCANNED, SCANNED)]
    #[case::caps_lock_lower_case_letters_read_as_their_key(Layout::French, "qwa", "AZQ")]
    #[case::caps_lock_upper_case_o_umlaut_is_hungarian_zero(Layout::Hungarian, "Ö", "0")]
    #[case::nothing_typed_reads_as_nothing(Layout::French, "", "")]
    fn reads_back_what_the_scanner_meant(
        #[case] layout: Layout,
        #[case] typed: &str,
        #[case] meant: &str,
    ) {
        assert_eq!(to_us(layout, typed).as_deref(), Some(meant));
    }

    #[rstest]
    #[case::french_shifted_digit_is_not_a_scanned_key(Layout::French, "1")]
    #[case::hungarian_zero_has_no_scanned_key(Layout::Hungarian, "0")]
    #[case::one_stray_character_spoils_the_whole_reading(Layout::German, "7K3M-Q9PX")]
    #[case::us_punctuation_is_not_a_scanned_key(Layout::Us, "?")]
    #[case::sharp_s_is_not_read_as_a_capital_s(Layout::German, "ß")]
    fn refuses_what_no_scanned_key_types(#[case] layout: Layout, #[case] typed: &str) {
        assert_eq!(to_us(layout, typed), None);
    }

    #[test]
    fn every_scanned_character_survives_the_round_trip_on_every_layout() {
        for layout in Layout::ALL {
            for us in SCANNED.chars() {
                let typed = typed_as(layout, us).unwrap_or_else(|| {
                    panic!("{layout:?}: the US keys for {us:?} type nothing (a dead key?)")
                });
                assert_eq!(
                    to_us(layout, &typed.to_string()),
                    Some(us.to_string()),
                    "{layout:?}: {us:?} types {typed:?}, which does not read back as {us:?}"
                );
            }
        }
    }

    #[rstest]
    #[case::lower_case_letter(Layout::Us, 'a')]
    #[case::punctuation(Layout::French, '-')]
    #[case::accented_letter(Layout::Hungarian, 'Ö')]
    fn only_digits_and_capitals_are_scanned(#[case] layout: Layout, #[case] us: char) {
        assert_eq!(typed_as(layout, us), None);
    }

    #[test]
    fn every_digit_and_letter_key_code_is_its_us_character() {
        let codes: Vec<String> = SCANNED
            .chars()
            .map(|c| match c {
                '0'..='9' => format!("Digit{c}"),
                _ => format!("Key{c}"),
            })
            .collect();
        assert_eq!(
            us_from_key_codes(codes.iter().map(String::as_str)).as_deref(),
            Some(SCANNED)
        );
    }

    #[rstest]
    #[case::punctuation_key(&["Semicolon"])]
    #[case::one_bad_code_spoils_the_rest(&["Digit1", "KeyA", "Semicolon"])]
    #[case::numpad_digit(&["Numpad1"])]
    #[case::lower_case_key_name(&["Keya"])]
    #[case::two_characters_after_the_prefix(&["Digit10"])]
    #[case::prefix_alone(&["Key"])]
    fn other_key_codes_are_refused(#[case] codes: &[&str]) {
        assert_eq!(us_from_key_codes(codes.iter().copied()), None);
    }
}
