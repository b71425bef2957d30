//! `tessera punch`.

use rstest::rstest;

use crate::common::{refused, Till};

#[rstest]
#[case::unknown_program_id(&["punch", "{code}", "--program", "01a2094c-d7a8-76a4-b636-368f7e6edc29"], "program_not_found")]
#[case::unknown_program_name(&["punch", "{code}", "--program", "Tea card"], "program_not_found")]
#[case::zero_count(&["punch", "{code}", "--count", "0"], "invalid_count")]
#[case::negative_count(&["punch", "{code}", "--count", "-2"], "invalid_count")]
#[case::mistyped_code(&["punch", "{typo}"], "mistyped_code")]
#[case::another_shops_code(&["punch", "{unknown}"], "unknown_code")]
#[case::a_name(&["punch", "Claire"], "not_a_code")]
fn punch_refuses(#[case] args: &[&str], #[case] code: &str) {
    refused(args, code);
}

#[test]
fn program_may_be_left_out_only_when_one_is_active() {
    let till = Till::new();
    let code = till.with_shop();
    till.ok(&["punch", &code]);
    till.ok(&[
        "program",
        "add",
        "--name",
        "Pastry card",
        "--punches",
        "6",
        "--reward",
        "Croissant",
    ]);
    assert_eq!(till.run(&["punch", &code]).error_code(), "program_required");
    let by_name = till.ok(&["punch", &code, "--program", "pastry card"]);
    assert_eq!(by_name["card"]["program_name"], "Pastry card");
}

#[test]
fn the_punch_that_fills_the_card_earns_the_reward() {
    let till = Till::new();
    let code = till.with_shop();
    let eight = till.ok(&["punch", &code, "--count", "8"]);
    assert_eq!(eight["rewards_earned_now"], 0);
    assert_eq!(eight["event"]["amount"], 8);
    let ninth = till.ok(&["punch", &code]);
    assert_eq!(ninth["rewards_earned_now"], 1);
    assert_eq!(ninth["card"]["punches"], 0);
    assert_eq!(ninth["card"]["rewards_available"], 1);
}
