//! `tessera scan`: a code as typed or a card's token, decoded as at the counter (the story
//! scans a code in lower case and grouped; tokens, forged, truncated, foreign or replaced, are
//! in `cards`).

use rstest::rstest;

use crate::common::refused;

#[rstest]
#[case::a_name(&["scan", "Claire"], "not_a_code")]
#[case::mistyped_code(&["scan", "{typo}"], "mistyped_code")]
#[case::another_shops_code(&["scan", "{unknown}"], "unknown_code")]
fn scan_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}
